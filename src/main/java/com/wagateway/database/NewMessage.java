package com.wagateway.database;

import java.time.Instant;
import java.util.UUID;

/**
 * A message to insert from the engine (live upsert or history). {@code contentJson} is
 * WhatsApp's content in JSON form (kept for getMessage); {@code status} is {@code received} for
 * inbound rows and the recorded status for our own. {@code sanitized}: some of its text held
 * NUL characters, stored as U+FFFD (see whatsapp.EngineText). {@code detailsJson}: the message's
 * structured extras (a JSON object, README "Message details") or null.
 */
public record NewMessage(
        UUID id,
        String direction,
        String chatJid,
        String fromJid,
        String toJid,
        String fromPhone,
        String toPhone,
        String body,
        String type,
        String providerMessageId,
        String quotedProviderId,
        String status,
        Instant waTimestamp,
        String pushName,
        String caption,
        String mimeType,
        Long fileLength,
        String fileName,
        String contentJson,
        boolean fromHistory,
        boolean sanitized,
        String detailsJson) {
}
