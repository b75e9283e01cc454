package com.wagateway.messaging;

import com.wagateway.database.ConnectionRow;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.QueuedMessage;
import com.wagateway.media.MediaStore;
import com.wagateway.whatsapp.EngineCommands;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Turns one queued message into the engine command that sends it, for {@link SendDispatcher}.
 * It only reads (the account's restrictions, the media store, the quoted message's key) and
 * writes nothing: the dispatcher ends a message that cannot be sent, so every end state is still
 * written in one place, together with its webhook event.
 *
 * <p>Guarantees: a message to a new contact of a restricted account is refused before any attempt
 * (WhatsApp would answer 463, and every try counts as another reach-out); a media message goes to
 * the engine with its file's local path (Baileys streams it from disk) or is refused when the file
 * is gone; a reply carries the quoted message's key when that message is still stored.
 */
@Component
class SendPreparation {

    private final MessageRepository messages;
    private final MediaStore mediaStore;
    private final AccountRestrictions restrictions;

    SendPreparation(MessageRepository messages, MediaStore mediaStore, AccountRestrictions restrictions) {
        this.messages = messages;
        this.mediaStore = mediaStore;
        this.restrictions = restrictions;
    }

    /**
     * The engine command for one queued message, or the failure it ends with instead.
     *
     * @param send      what to hand to the engine (null when {@code failure} is set)
     * @param failure   why the message fails without being sent (null when {@code send} is set)
     * @param attempted whether the failure counts as an attempt (a missing file does, a refusal of
     *                  a restricted account does not: nothing reached WhatsApp)
     */
    record Prepared(EngineCommands.Send send, String failure, boolean attempted) {

        static Prepared failed(String failure, boolean attempted) {
            return new Prepared(null, failure, attempted);
        }
    }

    /** Prepares {@code m} of {@code conn}, whose stored outgoing content is {@code outgoing} (never null). */
    Prepared prepare(ConnectionRow conn, QueuedMessage m, String outgoing) {
        String refused = restrictions.refusal(conn, m.toJid());
        if (refused != null) {
            return Prepared.failed(AccountRestrictions.NEW_CONTACT_REFUSED + ": " + refused, false);
        }
        String sha256 = EngineCommands.mediaSha256(outgoing);
        if (sha256 != null) {
            Optional<Path> path = mediaStore.localPath(sha256);
            if (path.isEmpty()) {
                return Prepared.failed("the media file is no longer stored (removed by MEDIA_RETENTION or by hand)", true);
            }
            outgoing = EngineCommands.withMediaPath(outgoing, path.get());
        }
        EngineCommands.Quoted quoted = m.quotedMessageId() == null ? null
                : messages.findQuotedKey(m.quotedMessageId())
                        .map(q -> EngineCommands.Quoted.of(q.providerMessageId(), q.chatJid(), q.fromMe(), q.senderJid(),
                                q.contentJson()))
                        .orElse(null);
        return new Prepared(new EngineCommands.Send(m.providerMessageId(), m.toJid(), outgoing, quoted), null, false);
    }
}
