package com.wagateway.controllers;

import com.wagateway.controllers.dto.ChatView;
import com.wagateway.controllers.dto.SendRequests;
import com.wagateway.messaging.MessageReader;
import com.wagateway.messaging.MessageView;
import com.wagateway.messaging.SendResponse;
import com.wagateway.messaging.SendService;
import com.wagateway.security.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
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

    public MessageController(SendService sender, MessageReader reader) {
        this.sender = sender;
        this.reader = reader;
    }

    @PostMapping("/api/send-message")
    ResponseEntity<SendResponse> send(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Text body) {
        SendService.Result r = sender.sendText(caller, body.connectionId(), body.to(), body.message(),
                body.clientMessageId(), body.replyTo());
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }

    /** The connection-flow seed's {@code sendWebImageMessage}: same rules as text. */
    @PostMapping("/api/send-image")
    ResponseEntity<SendResponse> sendImage(@AuthenticationPrincipal Caller caller, @RequestBody SendRequests.Image body) {
        SendService.Result r = sender.sendImage(caller, body.connectionId(), body.to(), body.imageUrl(), body.imageBase64(),
                body.mimeType(), body.caption(), body.clientMessageId(), body.replyTo());
        return ResponseEntity.status(r.httpStatus()).body(r.body());
    }

    @GetMapping("/api/connections/{connection_id}/chats")
    Map<String, Object> chats(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                              @RequestParam(required = false) String before, @RequestParam(required = false) Integer limit) {
        MessageReader.Page<com.wagateway.database.ChatRow> page = reader.chats(caller, id, before, limit);
        return page("chats", page.items().stream().map(ChatView::from).toList(), page.nextCursor());
    }

    @GetMapping("/api/connections/{connection_id}/chats/{chat}/messages")
    Map<String, Object> messages(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                 @PathVariable("chat") String chat, @RequestParam(required = false) String before,
                                 @RequestParam(required = false) Integer limit) {
        MessageReader.Page<MessageView> page = reader.messages(caller, id, chat, before, limit);
        return page("messages", page.items(), page.nextCursor());
    }

    /** The dashboard opened the chat: its unread count goes back to zero. */
    @PostMapping("/api/connections/{connection_id}/chats/{chat}/read")
    Map<String, Object> read(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @PathVariable("chat") String chat) {
        reader.markRead(caller, id, chat);
        return Map.of("chat_jid", chat, "unread_count", 0);
    }

    /** Status lookup by the caller's own id. */
    @GetMapping("/api/connections/{connection_id}/messages/{client_message_id}")
    MessageView message(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                        @PathVariable("client_message_id") String clientMessageId) {
        return reader.byClientId(caller, id, clientMessageId);
    }

    private static Map<String, Object> page(String name, Object items, String next) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, items);
        m.put("next_cursor", next);
        return m;
    }
}
