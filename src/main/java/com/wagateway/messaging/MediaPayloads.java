package com.wagateway.messaging;

import com.wagateway.database.MessageMedia;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of the {@code message.media} webhook (README "Webhooks"): which message, and its
 * {@code media} object — {@code url} (signed, no API key needed, expires) once stored, what the
 * file is, its {@code state}, and {@code base64} when it is small enough to inline.
 */
final class MediaPayloads {

    /** Message types whose content is a downloaded file (location thumbnails are downloaded too, but are optional). */
    static final java.util.Set<String> DOWNLOADED_TYPES = java.util.Set.of("image", "video", "ptv", "audio", "ptt", "sticker", "document");

    private MediaPayloads() {
    }

    /**
     * {@code message.media} for settled media. {@code url} is null unless {@code state} is {@code stored};
     * {@code base64} is present only when the caller inlined the content.
     */
    static WebhookEvent mediaEvent(MessageMedia m, String url, String base64) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.MESSAGE_MEDIA);
        p.put("connection_id", m.connectionId());
        p.put("message_id", m.messageId().toString());
        p.put("provider_message_id", m.providerMessageId());
        p.put("chat_id", m.chatJid());
        p.put("from", "inbound".equals(m.direction()) ? m.fromPhone() : null);
        p.put("direction", m.direction());
        p.put("type", m.type());
        p.put("timestamp", m.timestamp() == null ? null : m.timestamp().toString());
        Map<String, Object> media = new LinkedHashMap<>();
        media.put("state", m.state());
        media.put("url", url);
        media.put("mime_type", m.mimeType());
        media.put("file_name", m.fileName());
        media.put("size", m.size());
        media.put("sha256", m.sha256());
        media.put("duration", m.duration());
        media.put("width", m.width());
        media.put("height", m.height());
        media.put("caption", m.caption());
        media.put("error", m.error());
        if (base64 != null) {
            media.put("base64", base64);
        }
        p.put("media", media);
        return new WebhookEvent(m.connectionId(), WebhookEventTypes.MESSAGE_MEDIA, p);
    }
}
