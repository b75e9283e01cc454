package com.wagateway.database;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code messages} as read for the API, webhooks and realtime (without the large
 * {@code content}/{@code outgoing} JSON). {@code replyClientMessageId}/{@code replyProviderMessageId}
 * come from the quoted message when it is one of ours (outbound), so a reply carries the
 * {@code client_message_id} it answers. {@code sanitized}: WhatsApp's text held NUL characters,
 * stored as U+FFFD. {@code detailsJson}: the message's structured extras (a JSON object, README
 * "Message details") or null. {@code mediaState} ... {@code mediaHeight}: the file of a media message
 * ({@code pending}, {@code stored}, {@code failed}, {@code too_large}, {@code expired}; null for a
 * message without a file) with what WhatsApp told of it.
 */
public record MessageRow(
        UUID id,
        String connectionId,
        String direction,
        String chatJid,
        String fromJid,
        String toJid,
        String fromPhone,
        String toPhone,
        String body,
        String type,
        String clientMessageId,
        String providerMessageId,
        UUID quotedMessageId,
        String quotedProviderId,
        String replyClientMessageId,
        String replyProviderMessageId,
        String status,
        String error,
        Instant waTimestamp,
        String pushName,
        String caption,
        String mimeType,
        Long fileLength,
        String fileName,
        int attempts,
        Instant nextAttemptAt,
        Instant expiresAt,
        Instant sentAt,
        Instant editedAt,
        Instant revokedAt,
        boolean fromHistory,
        Instant sortAt,
        Instant createdAt,
        Instant updatedAt,
        String requestHash,
        boolean sanitized,
        String detailsJson,
        String mediaState,
        String mediaError,
        String mediaSha256,
        Integer mediaDuration,
        Integer mediaWidth,
        Integer mediaHeight) {

    public boolean outbound() {
        return "outbound".equals(direction);
    }

    public boolean isGroup() {
        return chatJid != null && chatJid.endsWith("@g.us");
    }
}
