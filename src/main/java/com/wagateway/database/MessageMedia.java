package com.wagateway.database;

import java.time.Instant;
import java.util.UUID;

/**
 * The media side of one message row: where its file stands ({@code state}: null when the message has
 * none or it is not downloaded, {@code pending}, {@code stored}, {@code failed}, {@code too_large},
 * {@code expired}) and what WhatsApp said about it. {@code size} is the stored file's size once
 * stored (WhatsApp's declared {@code file_length} before).
 */
public record MessageMedia(
        UUID messageId,
        String connectionId,
        String providerMessageId,
        String chatJid,
        String direction,
        String fromPhone,
        String type,
        String clientMessageId,
        boolean fromHistory,
        String state,
        String error,
        String sha256,
        Long size,
        String mimeType,
        String fileName,
        String caption,
        Integer duration,
        Integer width,
        Integer height,
        Instant timestamp) {
}
