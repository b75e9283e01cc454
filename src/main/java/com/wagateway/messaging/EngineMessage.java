package com.wagateway.messaging;

import com.wagateway.database.NewMessage;
import com.wagateway.whatsapp.EngineText;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One mapped engine message (protocol "Mapped message") read into what Java does with it: store
 * it, apply an edit or a delete to an earlier message, or skip it. Only the engine's
 * {@code parsed} fields are read — never Baileys' own message fields — except {@code message},
 * which is kept whole as the content getMessage returns.
 *
 * @param action     STORE, EDIT, REVOKE or SKIP
 * @param row        the row to insert (STORE)
 * @param targetId   WhatsApp id of the edited/deleted message (EDIT, REVOKE)
 * @param editText   the new text (EDIT)
 * @param lid        a LID this message revealed, with its phone JID {@code lidPn} (else null)
 */
record EngineMessage(Action action, NewMessage row, String targetId, String editText, String lid, String lidPn) {

    enum Action { STORE, EDIT, REVOKE, SKIP }

    private static final EngineMessage SKIP = new EngineMessage(Action.SKIP, null, null, null, null, null);

    /**
     * Reads one mapped message. Chats with a known phone number are stored under the phone JID
     * even when WhatsApp addressed them by LID, so one contact is one chat (the LID stays in
     * {@code from_jid}). {@code fromMe} messages are ours (outbound); their status is what
     * WhatsApp recorded, at least {@code sent}.
     */
    static EngineMessage read(JsonNode m, boolean history) {
        JsonNode p = m.path("parsed");
        String type = text(p, "type");
        String id = text(m.path("key"), "id");
        if (type == null || id == null) {
            return SKIP;
        }
        if (type.equals("protocol")) {
            JsonNode proto = p.path("protocol");
            String kind = text(proto, "kind");
            String target = text(proto, "targetId");
            if ("edit".equals(kind) && target != null) {
                return new EngineMessage(Action.EDIT, null, target, text(proto, "text"), null, null);
            }
            if ("revoke".equals(kind) && target != null) {
                return new EngineMessage(Action.REVOKE, null, target, null, null, null);
            }
            return SKIP;
        }
        if (type.equals("stub") || type.equals("empty")) {
            return SKIP;
        }
        boolean fromMe = p.path("fromMe").asBoolean(false);
        boolean group = p.path("isGroup").asBoolean(false);
        String chatJid = chatJid(p);
        String senderJid = text(p, "senderJid");
        String senderPhone = text(p, "senderPhone");
        String chatPhone = group ? null : text(p, "chatPhone");
        JsonNode ts = m.get("timestamp");
        Instant at = ts == null || ts.isNull() ? null : Instant.ofEpochSecond(ts.asLong());
        JsonNode content = m.get("message");
        JsonNode fileLength = p.get("fileLength");
        NewMessage row = new NewMessage(UUID.randomUUID(), fromMe ? "outbound" : "inbound", chatJid,
                fromMe ? null : senderJid, fromMe ? chatJid : null,
                fromMe ? null : senderPhone, fromMe ? chatPhone : null,
                text(p, "text"), type, id, text(p.path("quoted"), "id"),
                fromMe ? ownStatus(text(m, "status")) : "received", at,
                fromMe ? null : text(m, "pushName"), text(p, "caption"), text(p, "mimeType"),
                fileLength == null || fileLength.isNull() ? null : fileLength.asLong(), text(p, "fileName"),
                content == null || content.isNull() ? null : content.toString(), history,
                m.path(EngineText.SANITIZED).asBoolean(false));
        String lid = null;
        String lidPn = null;
        if (senderJid != null && senderJid.endsWith("@lid") && senderPhone != null) {
            lid = senderJid;
            lidPn = senderPhone + "@s.whatsapp.net";
        } else if (!group && text(p, "chatJid") != null && text(p, "chatJid").endsWith("@lid") && chatPhone != null) {
            lid = text(p, "chatJid");
            lidPn = chatPhone + "@s.whatsapp.net";
        }
        return new EngineMessage(Action.STORE, row, null, null, lid, lidPn);
    }

    /** Groups keep their JID; 1:1 chats use the phone JID when the phone is known, else the JID as given. */
    static String chatJid(JsonNode parsed) {
        String jid = text(parsed, "chatJid");
        String phone = text(parsed, "chatPhone");
        if (parsed.path("isGroup").asBoolean(false) || phone == null) {
            return jid;
        }
        return phone + "@s.whatsapp.net";
    }

    /** WhatsApp's recorded status of one of our messages, as a stored status (never below sent). */
    static String ownStatus(String status) {
        return MessageStatuses.rank(status) > MessageStatuses.rank("sent") ? status : "sent";
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
