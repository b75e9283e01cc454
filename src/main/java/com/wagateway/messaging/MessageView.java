package com.wagateway.messaging;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.wagateway.database.MessageRow;
import java.time.Instant;
import java.util.UUID;

/**
 * A stored message as the API, the dashboard and realtime show it. {@code from}/{@code to} are
 * phone digits where known (JIDs are kept beside them); {@code timestamp} is WhatsApp's time of
 * the message (null while queued); {@code in_reply_to} links a reply to the message of ours it
 * quotes; {@code sanitized} says WhatsApp's text held NUL characters, shown as U+FFFD;
 * {@code details} is the message's structured extras (README "Message details": a reaction's
 * target, a poll's options, an undecryptable reason, group participants, flags ...) or null;
 * {@code media} is the file of a media message (its state and what it is; null for a message
 * without a file), so the dashboard knows whether to show the file, "downloading…" or a note.
 */
@JsonPropertyOrder({"message_id", "connection_id", "direction", "chat_jid", "from", "to", "body", "type"})
public record MessageView(
        @com.wagateway.wire.NeverNull UUID messageId,
        @com.wagateway.wire.NeverNull String connectionId,
        @com.wagateway.wire.NeverNull String direction,
        @com.wagateway.wire.NeverNull String chatJid,
        String from,
        String to,
        String body,
        @com.wagateway.wire.NeverNull String type,
        String caption,
        String mimeType,
        Long fileLength,
        String fileName,
        String pushName,
        String clientMessageId,
        String providerMessageId,
        InReplyTo inReplyTo,
        String quotedProviderMessageId,
        @com.wagateway.wire.NeverNull String status,
        String error,
        int attempts,
        Instant nextAttemptAt,
        Instant timestamp,
        boolean edited,
        boolean deleted,
        boolean fromHistory,
        boolean sanitized,
        String fromJid,
        String toJid,
        Instant createdAt,
        Instant updatedAt,
        MessageDetails details,
        Media media) {

    /** The message of ours a reply quotes. */
    public record InReplyTo(UUID messageId, String clientMessageId, String providerMessageId) {
    }

    /**
     * The file of a media message: {@code state} is {@code pending} (being downloaded),
     * {@code stored}, {@code failed} ({@code error} says why), {@code too_large} or {@code expired};
     * {@code path} is the media endpoint that serves it with the caller's own login, set only
     * while stored. The same fields as the realtime {@code message.media} event.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "MessageMedia")
    public record Media(@com.wagateway.wire.NeverNull String state, String error, String mimeType, String fileName,
                        Long size, String sha256, Integer duration, Integer width, Integer height, String path) {

        /** The media of a row, or null when the message has no file (no media state recorded). */
        static Media of(MessageRow m) {
            if (m.mediaState() == null) {
                return null;
            }
            String path = "stored".equals(m.mediaState())
                    ? "/api/connections/" + m.connectionId() + "/messages/" + m.id() + "/media" : null;
            return new Media(m.mediaState(), m.mediaError(), m.mimeType(), m.fileName(), m.fileLength(), m.mediaSha256(),
                    m.mediaDuration(), m.mediaWidth(), m.mediaHeight(), path);
        }
    }

    public static MessageView of(MessageRow m) {
        InReplyTo reply = m.quotedMessageId() != null && m.replyProviderMessageId() != null
                ? new InReplyTo(m.quotedMessageId(), m.replyClientMessageId(), m.replyProviderMessageId())
                : null;
        return new MessageView(m.id(), m.connectionId(), m.direction(), m.chatJid(), m.fromPhone(), m.toPhone(),
                m.body(), m.type(), m.caption(), m.mimeType(), m.fileLength(), m.fileName(), m.pushName(),
                m.clientMessageId(), m.providerMessageId(), reply, m.quotedProviderId(), m.status(), m.error(),
                m.attempts(), m.nextAttemptAt(), m.waTimestamp(), m.editedAt() != null, m.revokedAt() != null,
                m.fromHistory(), m.sanitized(), m.fromJid(), m.toJid(), m.createdAt(), m.updatedAt(),
                MessageDetails.of(m.detailsJson()), Media.of(m));
    }
}
