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
 * target, a poll's options, an undecryptable reason, group participants, flags ...) or null.
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
        MessageDetails details) {

    /** The message of ours a reply quotes. */
    public record InReplyTo(UUID messageId, String clientMessageId, String providerMessageId) {
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
                MessageDetails.of(m.detailsJson()));
    }
}
