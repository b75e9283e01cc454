package com.wagateway.controllers;

import com.wagateway.controllers.dto.ChatView;
import com.wagateway.controllers.dto.SendRequests;
import com.wagateway.messaging.MediaSendService;
import com.wagateway.messaging.MessageReader;
import com.wagateway.messaging.MessageView;
import com.wagateway.messaging.SendResponse;
import com.wagateway.messaging.SendService;
import com.wagateway.domain.Caller;
import com.wagateway.controllers.dto.Answers;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sending (the seed's {@code POST /api/send-message}) and reading messages. 200 = WhatsApp took
 * the message (or a repeat reports its current status), 202 = stored and queued.
 */
@RestController
public class MessageController {

    private final SendService sender;
    private final MessageReader reader;
    private final MediaSendService media;

    public MessageController(SendService sender, MessageReader reader, MediaSendService media) {
        this.sender = sender;
        this.media = media;
        this.reader = reader;
    }

    @PostMapping("/api/send-message")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the message (or a repeat of a client_message_id reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued (connection not ready, rate limit, or retrying); status follows by webhook and realtime",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "404", description = "no such connection")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict (same client_message_id, different message), connection_not_ready (logged out), or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    ResponseEntity<SendResponse> send(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Text body) {
        SendService.Result r = sender.sendText(caller, body.connectionId(), body.to(), body.message(),
                body.clientMessageId(), body.replyTo(), body.mentions());
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }

    /** The connection-flow seed's {@code sendWebImageMessage}: same rules as text. */
    @PostMapping("/api/send-image")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the image (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued; status follows by webhook and realtime",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "404", description = "no such connection")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    @ApiResponse(responseCode = "429", description = "too_many_media_sends; see Retry-After")
    ResponseEntity<SendResponse> sendImage(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Image body) {
        SendService.Result r = sender.sendImage(caller, body.connectionId(), body.to(), body.imageUrl(), body.imageBase64(),
                body.mimeType(), body.caption(), body.clientMessageId(), body.replyTo());
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }

    /**
     * Image, video, audio, voice note, document or sticker: same rules as send-message; the
     * content is checked against {@code type} (magic bytes) and WhatsApp's size limit for it.
     */
    @PostMapping("/api/send-media")
    @ApiResponse(responseCode = "200", description = "WhatsApp took the file (or a repeat reports its current status)",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "202", description = "stored and queued; status follows by webhook and realtime",
            content = @Content(schema = @Schema(implementation = SendResponse.class)))
    @ApiResponse(responseCode = "400", description = "invalid_media_type, media_type_mismatch, media_too_large, private_network, ...")
    @ApiResponse(responseCode = "404", description = "no such connection")
    @ApiResponse(responseCode = "409", description = "idempotency_conflict, connection_not_ready, or restricted_new_contact (WhatsApp restricted the account: no new chats)")
    @ApiResponse(responseCode = "429", description = "too_many_media_sends; see Retry-After")
    ResponseEntity<SendResponse> sendMedia(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Media body) {
        SendService.Result r = media.send(caller, new MediaSendService.MediaRequest(body.connectionId(), body.to(), body.type(),
                body.mediaUrl(), body.mediaBase64(), body.mimeType(), body.fileName(), body.caption(), body.clientMessageId(),
                body.replyTo(), body.mentions()));
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }

    @GetMapping("/api/connections/{connection_id}/chats")
    Answers.ChatPage chats(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                              @RequestParam(required = false) String before, @RequestParam(required = false) Integer limit) {
        MessageReader.Page<com.wagateway.database.ChatRow> page = reader.chats(caller, id, before, limit);
        return new Answers.ChatPage(page.items().stream().map(ChatView::from).toList(), page.nextCursor());
    }

    @GetMapping("/api/connections/{connection_id}/chats/{chat}/messages")
    Answers.MessagePage messages(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                 @PathVariable("chat") String chat, @RequestParam(required = false) String before,
                                 @RequestParam(required = false) Integer limit) {
        MessageReader.Page<MessageView> page = reader.messages(caller, id, chat, before, limit);
        return new Answers.MessagePage(page.items(), page.nextCursor());
    }

    /**
     * The dashboard opened the chat: its unread count goes back to zero; with the connection's
     * {@code send_read_receipts} on, the unread messages also get WhatsApp read receipts.
     */
    @PostMapping("/api/connections/{connection_id}/chats/{chat}/read")
    Answers.ChatRead read(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @PathVariable("chat") String chat) {
        int receipts = reader.markRead(caller, id, chat);
        return new Answers.ChatRead(chat, 0, receipts);
    }

    /** Status lookup by the caller's own id. */
    @GetMapping("/api/connections/{connection_id}/messages/{client_message_id}")
    MessageView message(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                        @PathVariable("client_message_id") String clientMessageId) {
        return reader.byClientId(caller, id, clientMessageId);
    }
}
