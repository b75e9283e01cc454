package com.wagateway.whatsapp;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One "mapped message" of the protocol ({@code messages.upsert} and {@code history.set}), typed.
 * Only the engine's {@code parsed} fields and the key id are read — never Baileys' own message
 * fields — except {@code message}, which is kept whole (as JSON text) because it is what Java
 * stores and returns for {@code getMessage}.
 *
 * @param id           WhatsApp's message id ({@code key.id}); null makes the message unusable
 * @param type         {@code parsed.type}: text, image, protocol, stub, empty, ... (null: unusable)
 * @param fromMe       written by this account
 * @param group        the chat is a group
 * @param chatJid      the chat as WhatsApp addressed it (phone JID, LID or group JID)
 * @param chatPhone    the 1:1 chat's phone digits, when known
 * @param senderJid    who wrote it
 * @param senderPhone  the writer's phone digits, when known
 * @param text         body, caption or readable placeholder
 * @param caption      media caption
 * @param mimeType     media type
 * @param fileLength   media size in bytes
 * @param fileName     document name
 * @param quotedId     id of the message this one replies to
 * @param protocol     for {@code type == "protocol"}: the edit/delete it carries, else null
 * @param timestamp    when WhatsApp says it was sent
 * @param status       WhatsApp's recorded status name of our own messages ({@code read}, {@code pending}, ...)
 * @param pushName     the sender's display name
 * @param contentJson  Baileys' content as JSON text, or null
 * @param sanitized    text in it had NULs replaced ({@link EngineText})
 * @param detailsJson  {@code parsed.details} as JSON object text (null when the engine gave none): the
 *                     message's structured extras, already in the API's shape, carried unchanged
 */
public record MappedMessage(String id, String type, boolean fromMe, boolean group, String chatJid, String chatPhone,
                            String senderJid, String senderPhone, String text, String caption, String mimeType,
                            Long fileLength, String fileName, String quotedId, Protocol protocol, Instant timestamp,
                            String status, String pushName, String contentJson, boolean sanitized,
                            String detailsJson) {

    /** {@code parsed.protocol}: {@code kind} is revoke, edit or other; {@code targetId} the message it acts on. */
    public record Protocol(String kind, String targetId, String text) {
    }

    /** Reads one mapped message of an event's {@code messages} list. */
    static MappedMessage from(JsonNode m) {
        JsonNode p = m.path("parsed");
        JsonNode proto = p.path("protocol");
        JsonNode ts = m.get("timestamp");
        JsonNode content = m.get("message");
        JsonNode fileLength = p.get("fileLength");
        return new MappedMessage(text(m.path("key"), "id"), text(p, "type"),
                p.path("fromMe").asBoolean(false), p.path("isGroup").asBoolean(false),
                text(p, "chatJid"), text(p, "chatPhone"), text(p, "senderJid"), text(p, "senderPhone"),
                text(p, "text"), text(p, "caption"), text(p, "mimeType"),
                fileLength == null || fileLength.isNull() ? null : fileLength.asLong(), text(p, "fileName"),
                text(p.path("quoted"), "id"),
                proto.isObject() ? new Protocol(text(proto, "kind"), text(proto, "targetId"), text(proto, "text")) : null,
                ts == null || ts.isNull() ? null : Instant.ofEpochSecond(ts.asLong()),
                text(m, "status"), text(m, "pushName"),
                content == null || content.isNull() ? null : content.toString(),
                m.path(EngineText.SANITIZED).asBoolean(false), details(p.get("details")));
    }

    /**
     * {@code parsed.details} as JSON text when it is an object; anything else (absent, null, or a
     * malformed value from a future engine) is no details, so the stored column only ever holds an
     * object or null.
     */
    static String details(JsonNode d) {
        return d != null && d.isObject() && !d.isEmpty() ? d.toString() : null;
    }

    /** A string field, null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
