package com.wagateway.controllers;

import com.wagateway.controllers.dto.SandboxRequests;
import com.wagateway.services.SandboxPhone;
import java.util.LinkedHashMap;
import java.util.Map;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import com.wagateway.domain.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import com.wagateway.controllers.dto.Answers;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The simulated phone and network, only when {@code WA_ENGINE=sandbox} (otherwise these routes
 * do not exist and answer 404 like any unknown route).
 */
@RestController
@RequestMapping("/api/sandbox/{connection_id}")
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxController {

    private final SandboxPhone phone;
    private final com.wagateway.services.SandboxContacts contacts;
    private final com.wagateway.services.SandboxRestrictions restrictions;

    public SandboxController(SandboxPhone phone, com.wagateway.services.SandboxContacts contacts,
                             com.wagateway.services.SandboxRestrictions restrictions) {
        this.phone = phone;
        this.contacts = contacts;
        this.restrictions = restrictions;
    }

    /** The simulated phone scans the showing QR: the connection goes authenticated, then ready. */
    @PostMapping("/scan")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "no_qr_showing")
    Map<String, Object> scan(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id, @RequestBody SandboxRequests.Scan body) {
        SandboxPhone.Scanned r = phone.scan(id, body.phone(), body.name(), caller);
        return Map.of("connection_id", r.connectionId(), "scanned", true, "phone", r.phone());
    }

    /** The simulated server closes the socket with a Baileys DisconnectReason code. */
    @PostMapping("/drop")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "not_connected")
    Map<String, Object> drop(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id, @RequestBody SandboxRequests.Drop body) {
        SandboxPhone.Dropped r = phone.drop(id, body.code(), caller);
        return Map.of("connection_id", r.connectionId(), "dropped", true, "code", r.code());
    }

    /** A contact sends a message to this connection (stored, webhook, realtime — like a real one). */
    @PostMapping("/inbound")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated phone refused (sandbox_*)")
    Map<String, Object> inbound(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                @RequestBody SandboxRequests.Inbound body) {
        SandboxPhone.InboundSent r = phone.inbound(id, new SandboxPhone.Inbound(body.from(), body.message(),
                body.replyToProviderMessageId(), body.type(), body.asLid(), body.pushName(), body.messageId(), body.options(),
                body.mediaBase64(), body.fileName(), body.mimeType(), body.seconds()), caller);
        Map<String, Object> out = new LinkedHashMap<>(); // ids may be null: Map.of refuses nulls
        out.put("connection_id", r.connectionId());
        out.put("provider_message_id", r.providerMessageId());
        out.put("remote_jid", r.remoteJid());
        return out;
    }

    /** The recipient's phone sends a delivered/read/played receipt for one of our messages. */
    @PostMapping("/receipt")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated phone refused (sandbox_*)")
    Map<String, Object> receipt(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                @RequestBody SandboxRequests.Receipt body) {
        SandboxPhone.ReceiptSent r = phone.receipt(id, new SandboxPhone.Receipt(body.providerMessageId(), body.status()), caller);
        return Map.of("connection_id", r.connectionId(), "provider_message_id", r.providerMessageId(), "status", r.status());
    }

    /**
     * What the emulator's contacts decrypted of this connection's messages: type, text, caption,
     * file name, the SHA-256 of decrypted media, location, contact cards, reaction, poll, edit —
     * proof of what arrived, byte for byte. {@code provider_message_id} narrows it to one message.
     */
    @GetMapping("/sent")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    Answers.SandboxSent sent(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @RequestParam(name = "provider_message_id", required = false) String providerMessageId) {
        return new Answers.SandboxSent(id, phone.sent(id, providerMessageId, caller));
    }

    /** The next sends fail with a status code (to watch the retry logic). */
    @PostMapping("/fail")
    Map<String, Object> fail(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @RequestBody SandboxRequests.Fail body) {
        SandboxPhone.FailuresArmed r = phone.fail(id, new SandboxPhone.Fail(body.count(), body.code()), caller);
        return Map.of("connection_id", r.connectionId(), "pending_failures", r.pendingFailures());
    }

    /** The simulated phone types the connection's pairing code: it links like a scanned QR. */
    @PostMapping("/pair")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "already_linked, no_pairing_code")
    @ApiResponse(responseCode = "410", description = "pairing_code_expired")
    @ApiResponse(responseCode = "422", description = "pairing_code_rejected: the phone refused the code")
    Map<String, Object> pair(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @RequestBody SandboxRequests.Pair body) {
        SandboxPhone.Paired r = phone.pair(id, body.code(), caller);
        return Map.of("connection_id", r.connectionId(), "paired", true, "phone", r.phone());
    }

    /** What a simulated contact shows other users: name, on WhatsApp or not, profile picture. */
    @PostMapping("/contacts")
    Map<String, Object> contact(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                @RequestBody SandboxRequests.Contact body) {
        SandboxPhone.ContactProfile r = phone.contact(id, new SandboxPhone.ContactProfile(body.phone(), body.name(),
                body.onWhatsapp(), body.picture()), caller);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connection_id", id);
        out.put("phone", r.phone());
        out.put("name", r.name());
        out.put("on_whatsapp", r.onWhatsApp());
        out.put("picture", r.picture());
        return out;
    }

    // ---- presence, calls and what a contact got (issue 16 parts 4 and 5) ----

    /** A contact shows a presence to this connection (available, unavailable, or composing/recording/paused in its chat). */
    @PostMapping("/presence")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated side refused (sandbox_*)")
    Map<String, Object> contactPresence(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                        @RequestBody com.wagateway.controllers.dto.SettingsDtos.SandboxPresence body) {
        contacts.presence(id, body.from(), body.state(), caller);
        return Map.of("connection_id", id, "from", body.from(), "state", body.state());
    }

    /** A contact calls this connection (voice, or video with {@code video: true}); the {@code call} webhook follows. */
    @PostMapping("/call")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated side refused (sandbox_*)")
    com.wagateway.controllers.dto.SettingsDtos.CallStarted call(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                                                @RequestBody com.wagateway.controllers.dto.SettingsDtos.SandboxCall body) {
        String callId = contacts.call(id, body.from(), body.video(), caller);
        return new com.wagateway.controllers.dto.SettingsDtos.CallStarted(id, callId, body.from(), Boolean.TRUE.equals(body.video()));
    }

    /** What a simulated contact got from this connection: chat states, presence, calls (rejected or not), read receipts. */
    @GetMapping("/contacts/{phone}")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    com.wagateway.controllers.dto.SettingsDtos.ContactView contactView(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                                                       @PathVariable("phone") String phone) {
        return com.wagateway.controllers.dto.SettingsDtos.ContactView.of(id, contacts.view(id, phone, caller));
    }

    /**
     * WhatsApp restricts the account (reach-out time lock or message capping): the emulator sends
     * the notification Baileys parses, the status shows {@code restricted}, and messages to new
     * contacts are refused with 463 until {@code until} or a lift.
     */
    @PostMapping("/restrict")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "not_connected")
    Map<String, Object> restrict(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                 @RequestBody SandboxRequests.Restrict body) {
        var r = restrictions.restrict(id, body.kind(), body.until(), body.enforcementType(), body.silent(), caller);
        return Map.of("connection_id", r.connectionId(), "kind", r.kind(), "restricted", true, "until", r.until().toString());
    }

    /** WhatsApp lifts the restriction of that kind ({@code lifted} false when none was in force). */
    @PostMapping("/lift")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "not_connected")
    Map<String, Object> lift(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @RequestBody SandboxRequests.Lift body) {
        boolean lifted = restrictions.lift(id, body.kind(), caller);
        return Map.of("connection_id", id, "kind", body.kind(), "lifted", lifted);
    }
}
