package com.wagateway.controllers;

import com.wagateway.controllers.dto.ContactDtos;
import com.wagateway.database.PairingCodeRepository.PairingCodeRow;
import com.wagateway.domain.Caller;
import com.wagateway.services.ContactService;
import com.wagateway.services.PairingService;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Linking with a pairing code, and a connection's contacts (issue 16, parts 1 and 2). */
@RestController
@RequestMapping("/api/connections/{id}")
public class ContactController {

    private final ContactService contacts;
    private final PairingService pairing;

    public ContactController(ContactService contacts, PairingService pairing) {
        this.contacts = contacts;
        this.pairing = pairing;
    }

    /**
     * Starts the connection if needed and answers the code to type on the phone once WhatsApp gave
     * it (after the first QR). Status and webhooks then follow the QR link's states.
     */
    @PostMapping("/pairing-code")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_phone")
    @ApiResponse(responseCode = "409", description = "already_linked, pairing_unavailable")
    ContactDtos.PairingCode pairingCode(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                        @RequestBody ContactDtos.PairingCodeRequest body) {
        PairingCodeRow r = pairing.requestCode(id, body.phone(), caller);
        return new ContactDtos.PairingCode(r.connectionId(), r.phone(), r.code(), r.expiresAt());
    }

    /** The pairing code the connection waits for, while valid (a page reloaded during linking shows it again). */
    @GetMapping("/pairing-code")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "connection_not_found, no_pairing_code")
    ContactDtos.PairingCode currentPairingCode(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        PairingCodeRow r = pairing.currentCode(id, caller);
        return new ContactDtos.PairingCode(r.connectionId(), r.phone(), r.code(), r.expiresAt());
    }

    /** Which numbers are on WhatsApp (1-50 {@code phone} parameters; one WhatsApp query, answers cached 5 minutes). */
    @GetMapping("/contacts/check")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "phone_required, too_many_phones, invalid_phone")
    @ApiResponse(responseCode = "409", description = "not_connected")
    List<ContactDtos.ContactCheck> check(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                         @RequestParam(name = "phone", required = false) List<String> phones) {
        return contacts.check(id, phones, caller).stream()
                .map(c -> new ContactDtos.ContactCheck(c.phone(), c.exists(), c.jid(), c.lid())).toList();
    }

    /** The names the connection knows (address book, history, push names), with phone and LID. */
    @GetMapping("/contacts")
    List<ContactDtos.Contact> list(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return contacts.list(id, caller).stream()
                .map(c -> new ContactDtos.Contact(c.phone(), c.lid(), c.name(), c.pushName(), c.verifiedName(), c.updatedAt())).toList();
    }

    /** The contact's profile picture URL (phone number or LID); {@code url} null when none or hidden. */
    @GetMapping("/contacts/{phone}/picture")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_phone")
    @ApiResponse(responseCode = "409", description = "not_connected")
    ContactDtos.Picture picture(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                @PathVariable("phone") String phone) {
        ContactService.Picture p = contacts.picture(id, phone, caller);
        return new ContactDtos.Picture(p.phone(), p.lid(), p.url());
    }
}
