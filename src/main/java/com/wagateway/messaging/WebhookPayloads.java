package com.wagateway.messaging;

import com.wagateway.database.MessageRow;
import com.wagateway.webhooks.WebhookEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The webhook bodies of message events (README "Webhooks"). {@code message.received} starts with
 * the seed's four fields exactly — {@code from}, {@code message}, {@code provider_message_id},
 * {@code connection_id} — and adds the rest after them.
 */
final class WebhookPayloads {

    private WebhookPayloads() {
    }

    /** An inbound message: the seed's payload plus event, ids, type, chat, sender name and reply link. */
    static WebhookEvent received(MessageRow m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", m.fromPhone());
        p.put("message", m.body());
        p.put("provider_message_id", m.providerMessageId());
        p.put("connection_id", m.connectionId());
        p.put("event", "message.received");
        p.put("message_id", m.id().toString());
        p.put("timestamp", iso(m.waTimestamp() != null ? m.waTimestamp() : m.createdAt()));
        p.put("type", m.type());
        p.put("chat_id", m.chatJid());
        p.put("from_jid", m.fromJid());
        p.put("push_name", m.pushName());
        p.put("is_group", m.isGroup());
        p.put("in_reply_to", inReplyTo(m));
        p.put("sanitized", m.sanitized()); // NUL characters of WhatsApp's text arrive as U+FFFD
        p.put("details", MessageDetails.of(m.detailsJson())); // README "Message details"; null when none
        if (m.caption() != null || m.mimeType() != null) {
            p.put("media", media(m));
        }
        return new WebhookEvent(m.connectionId(), "message.received", p);
    }

    /**
     * One of our messages left the gateway: sent through the API ({@code from_phone} false) or
     * typed on the linked phone itself ({@code from_phone} true, no client_message_id).
     */
    static WebhookEvent sent(MessageRow m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", "message.sent");
        p.put("connection_id", m.connectionId());
        p.put("message_id", m.id().toString());
        p.put("client_message_id", m.clientMessageId());
        p.put("provider_message_id", m.providerMessageId());
        p.put("to", m.toPhone());
        p.put("chat_id", m.chatJid());
        p.put("message", m.body());
        p.put("type", m.type());
        p.put("from_phone", m.clientMessageId() == null);
        p.put("in_reply_to", inReplyTo(m));
        p.put("details", MessageDetails.of(m.detailsJson()));
        p.put("timestamp", iso(m.waTimestamp() != null ? m.waTimestamp() : m.updatedAt()));
        return new WebhookEvent(m.connectionId(), "message.sent", p);
    }

    /** A status change of one of our messages (delivered, read, played, failed with the reason). */
    static WebhookEvent status(MessageRow m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", "message.status");
        p.put("connection_id", m.connectionId());
        p.put("message_id", m.id().toString());
        p.put("client_message_id", m.clientMessageId());
        p.put("provider_message_id", m.providerMessageId());
        p.put("status", m.status());
        p.put("error", m.error());
        p.put("timestamp", iso(m.updatedAt()));
        return new WebhookEvent(m.connectionId(), "message.status", p);
    }

    private static Map<String, Object> inReplyTo(MessageRow m) {
        if (m.quotedMessageId() == null || m.replyProviderMessageId() == null) {
            return null;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("client_message_id", m.replyClientMessageId());
        r.put("provider_message_id", m.replyProviderMessageId());
        r.put("message_id", m.quotedMessageId().toString());
        return r;
    }

    private static Map<String, Object> media(MessageRow m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mime_type", m.mimeType());
        r.put("caption", m.caption());
        r.put("file_length", m.fileLength());
        r.put("file_name", m.fileName());
        // live media files are downloaded after this event: message.media follows with the URL
        r.put("state", MediaPayloads.DOWNLOADED_TYPES.contains(m.type()) && !m.fromHistory() ? "pending" : null);
        return r;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
