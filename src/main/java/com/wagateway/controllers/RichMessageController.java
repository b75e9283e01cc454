package com.wagateway.controllers;

import com.wagateway.controllers.dto.SendRequests;
import com.wagateway.domain.Caller;
import com.wagateway.messaging.MessageChangeService;
import com.wagateway.messaging.MessageView;
import com.wagateway.messaging.RichSendService;
import com.wagateway.messaging.SendResponse;
import com.wagateway.messaging.SendService;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Locations, contact cards, reactions and polls (the send-message rules: 200 sent, 202 queued,
 * 409 on an idempotency conflict), and editing or deleting our own messages.
 */
@RestController
public class RichMessageController {

    private final RichSendService rich;
    private final MessageChangeService changes;

    public RichMessageController(RichSendService rich, MessageChangeService changes) {
        this.rich = rich;
        this.changes = changes;
    }

    @PostMapping("/api/send-location")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the location (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued", content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "400", description = "invalid_latitude, invalid_longitude, ...")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    ResponseEntity<SendResponse> location(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Location b) {
        return answer(rich.sendLocation(caller, b.connectionId(), b.to(), b.latitude(), b.longitude(), b.name(), b.address(),
                b.clientMessageId()));
    }

    @PostMapping("/api/send-contact")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the contact cards (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued", content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "400", description = "invalid_contacts")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    ResponseEntity<SendResponse> contact(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Contacts b) {
        var cards = b.contacts() == null ? null : b.contacts().stream()
                .map(c -> c == null ? null : new RichSendService.ContactCard(c.name(), c.phones())).toList();
        return answer(rich.sendContacts(caller, b.connectionId(), b.to(), cards, b.clientMessageId()));
    }

    @PostMapping("/api/send-reaction")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the reaction (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued", content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "400", description = "invalid_emoji, invalid_target, target_not_found")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    ResponseEntity<SendResponse> reaction(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Reaction b) {
        return answer(rich.sendReaction(caller, b.connectionId(), b.messageId(), b.providerMessageId(), b.emoji(),
                b.clientMessageId()));
    }

    @PostMapping("/api/send-poll")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the poll (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued", content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "400", description = "invalid_poll, invalid_poll_options, invalid_selectable_count")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    ResponseEntity<SendResponse> poll(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Poll b) {
        return answer(rich.sendPoll(caller, b.connectionId(), b.to(), b.name(), b.options(), b.selectableCount(),
                b.clientMessageId()));
    }

    /** Edits our own text message (within WhatsApp's 15-minute window); {@code message} is our message_id, client_message_id or WhatsApp id. */
    @PatchMapping("/api/connections/{connection_id}/messages/{message}")
    @ApiResponse(responseCode = "200", description = "the edited message", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "no such connection or message")
    @ApiResponse(responseCode = "409", description = "not_own_message, not_editable, edit_window_passed, message_deleted, message_not_sent, connection_not_ready")
    MessageView edit(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                     @PathVariable("message") String message, @RequestBody SendRequests.Edit body) {
        return changes.edit(caller, id, message, body.message());
    }

    /** Deletes our own message for everyone; the row stays, marked deleted. */
    @DeleteMapping("/api/connections/{connection_id}/messages/{message}")
    @ApiResponse(responseCode = "200", description = "the deleted message", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "no such connection or message")
    @ApiResponse(responseCode = "409", description = "not_own_message, delete_window_passed, message_not_sent, connection_not_ready")
    MessageView delete(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                       @PathVariable("message") String message) {
        return changes.revoke(caller, id, message);
    }

    private static ResponseEntity<SendResponse> answer(SendService.Result r) {
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }
}
