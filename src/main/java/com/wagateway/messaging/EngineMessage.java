package com.wagateway.messaging;

import com.wagateway.database.NewMessage;
import com.wagateway.whatsapp.MappedMessage;
import java.util.UUID;

/**
 * One mapped engine message (protocol "Mapped message") read into what Java does with it: store
 * it, apply an edit or a delete to an earlier message, or skip it. The engine's fields were
 * read into {@link MappedMessage} in the {@code whatsapp} package; this class only decides.
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
    static EngineMessage read(MappedMessage m, boolean history) {
        String type = m.type();
        String id = m.id();
        if (type == null || id == null) {
            return SKIP;
        }
        if (type.equals("protocol")) {
            MappedMessage.Protocol proto = m.protocol();
            String kind = proto == null ? null : proto.kind();
            String target = proto == null ? null : proto.targetId();
            if ("edit".equals(kind) && target != null) {
                return new EngineMessage(Action.EDIT, null, target, proto.text(), null, null);
            }
            if ("revoke".equals(kind) && target != null) {
                return new EngineMessage(Action.REVOKE, null, target, null, null, null);
            }
            return SKIP;
        }
        if (type.equals("stub") || type.equals("empty")) {
            return SKIP;
        }
        boolean fromMe = m.fromMe();
        boolean group = m.group();
        String chatJid = chatJid(m);
        String senderJid = m.senderJid();
        String senderPhone = m.senderPhone();
        String chatPhone = group ? null : m.chatPhone();
        NewMessage row = new NewMessage(UUID.randomUUID(), fromMe ? "outbound" : "inbound", chatJid,
                fromMe ? null : senderJid, fromMe ? chatJid : null,
                fromMe ? null : senderPhone, fromMe ? chatPhone : null,
                m.text(), type, id, m.quotedId(),
                fromMe ? ownStatus(m.status()) : "received", m.timestamp(),
                fromMe ? null : m.pushName(), m.caption(), m.mimeType(),
                m.fileLength(), m.fileName(), m.contentJson(), history, m.sanitized(), m.detailsJson());
        String lid = null;
        String lidPn = null;
        if (senderJid != null && senderJid.endsWith("@lid") && senderPhone != null) {
            lid = senderJid;
            lidPn = senderPhone + "@s.whatsapp.net";
        } else if (!group && m.chatJid() != null && m.chatJid().endsWith("@lid") && chatPhone != null) {
            lid = m.chatJid();
            lidPn = chatPhone + "@s.whatsapp.net";
        }
        return new EngineMessage(Action.STORE, row, null, null, lid, lidPn);
    }

    /** Groups keep their JID; 1:1 chats use the phone JID when the phone is known, else the JID as given. */
    static String chatJid(MappedMessage m) {
        if (m.group() || m.chatPhone() == null) {
            return m.chatJid();
        }
        return m.chatPhone() + "@s.whatsapp.net";
    }

    /** WhatsApp's recorded status of one of our messages, as a stored status (never below sent). */
    static String ownStatus(String status) {
        return MessageStatuses.rank(status) > MessageStatuses.rank("sent") ? status : "sent";
    }
}
