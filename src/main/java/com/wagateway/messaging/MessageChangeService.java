package com.wagateway.messaging;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRow;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionService;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Service;

/**
 * Editing ({@code PATCH /api/connections/{id}/messages/{message}}) and deleting for everyone
 * ({@code DELETE ...}) our own messages.
 *
 * <p>Guarantees: only this connection's own (outbound), sent, not yet deleted messages change; an
 * edit only of a text message within WhatsApp's 15-minute edit window, a delete within its
 * "delete for everyone" window (about two days); every refusal is a clear 4xx and changes
 * nothing. The change is sent at once (not queued: an edit that arrives hours later would be
 * refused by WhatsApp anyway), and the row changes only after WhatsApp took it. A repeat of an
 * edit with the same text, or of a delete, answers the current message without sending again.
 */
@Service
public class MessageChangeService {

    /** WhatsApp lets the sender edit a message for 15 minutes after sending it. */
    static final Duration EDIT_WINDOW = Duration.ofMinutes(15);
    /** WhatsApp's "delete for everyone" window (2 days and 12 hours since 2022). */
    static final Duration DELETE_WINDOW = Duration.ofHours(60);

    private final ConnectionService connections;
    private final MessageRepository messages;
    private final EngineClient engine;
    private final Publisher events;
    private final Duration wait;

    public MessageChangeService(ConnectionService connections, MessageRepository messages, EngineClient engine,
                                Publisher events, GatewayProperties props) {
        this.connections = connections;
        this.messages = messages;
        this.engine = engine;
        this.events = events;
        this.wait = props.messaging().sendWait();
    }

    /** Edits our text message {@code ref} to read {@code text}; returns the message as stored after the edit. */
    public MessageView edit(Caller caller, String connectionId, String ref, String text) {
        if (text == null || text.isBlank()) {
            throw new ApiException.InvalidInput("invalid_message", "message", "message (the new text) must not be empty");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > SendService.MAX_TEXT_BYTES) {
            throw new ApiException.InvalidInput("message_too_long", "message", "message is longer than 64 KB");
        }
        ConnectionRow conn = connections.get(connectionId, caller);
        MessageRow m = own(connectionId, ref, "edit");
        if (m.revokedAt() != null) {
            throw conflict("message_deleted", "the message was deleted for everyone; it cannot be edited");
        }
        if (!"text".equals(m.type())) {
            throw conflict("not_editable", "only text messages can be edited (this one is " + m.type() + ")");
        }
        if (text.equals(m.body()) && m.editedAt() != null) {
            return MessageView.of(m); // the same edit again: already done
        }
        requireWithin(m, EDIT_WINDOW, "edit_window_passed", "WhatsApp allows editing for 15 minutes after sending");
        send(conn, m, EngineCommands.editContent(key(m), text));
        MessageRow edited = messages.applyEdit(connectionId, m.providerMessageId(), text, null).orElse(m);
        events.publish(new MessageEvents.Stored(connectionId, List.of(edited), true));
        return MessageView.of(edited);
    }

    /** Deletes our message {@code ref} for everyone; returns it as stored (marked deleted, text kept). */
    public MessageView revoke(Caller caller, String connectionId, String ref) {
        ConnectionRow conn = connections.get(connectionId, caller);
        MessageRow m = own(connectionId, ref, "delete");
        if (m.revokedAt() != null) {
            return MessageView.of(m); // already deleted
        }
        requireWithin(m, DELETE_WINDOW, "delete_window_passed",
                "WhatsApp allows deleting for everyone for about two days after sending");
        send(conn, m, EngineCommands.revokeContent(key(m)));
        MessageRow revoked = messages.applyRevoke(connectionId, m.providerMessageId()).orElse(m);
        events.publish(new MessageEvents.Stored(connectionId, List.of(revoked), true));
        return MessageView.of(revoked);
    }

    /**
     * The message {@code ref} names on this connection — our {@code message_id} (UUID), else a
     * {@code client_message_id}, else a WhatsApp id — which must be our own and sent.
     */
    private MessageRow own(String connectionId, String ref, String what) {
        Optional<MessageRow> found = Optional.empty();
        try {
            found = messages.findById(UUID.fromString(ref)).filter(m -> m.connectionId().equals(connectionId));
        } catch (IllegalArgumentException notAUuid) {
            // not our id: a client or WhatsApp id
        }
        if (found.isEmpty()) {
            found = messages.findByClientId(connectionId, ref);
        }
        if (found.isEmpty()) {
            found = messages.findByProviderId(connectionId, ref);
        }
        MessageRow m = found.orElseThrow(() -> new ApiException.NotFound("message_not_found",
                "no message '" + ref + "' on '" + connectionId + "'"));
        if (!"outbound".equals(m.direction())) {
            throw conflict("not_own_message", "only your own messages can be " + (what.equals("edit") ? "edited" : "deleted")
                    + "; this one was sent by " + (m.fromPhone() != null ? m.fromPhone() : m.fromJid()));
        }
        if ("queued".equals(m.status()) || "failed".equals(m.status())) {
            throw conflict("message_not_sent", "the message was not sent (status " + m.status() + "); there is nothing to " + what);
        }
        return m;
    }

    private static void requireWithin(MessageRow m, Duration window, String code, String rule) {
        Instant sent = m.sentAt() != null ? m.sentAt() : m.waTimestamp() != null ? m.waTimestamp() : m.createdAt();
        if (sent != null && Instant.now().isAfter(sent.plus(window))) {
            throw conflict(code, rule + "; this message was sent at " + sent);
        }
    }

    /** The key WhatsApp knows our message by. */
    private static EngineCommands.Quoted key(MessageRow m) {
        return EngineCommands.Quoted.of(m.providerMessageId(), m.chatJid(), true, m.fromJid(), null);
    }

    /**
     * Sends the protocol message now (a new WhatsApp id, same chat); the connection must be ready.
     * WhatsApp's refusal is a 409 with its reason; no answer within {@code SEND_WAIT} is a 503 and
     * the row is left as it was.
     */
    private void send(ConnectionRow conn, MessageRow m, String contentJson) {
        if (conn.status() != ConnectionStatus.READY) {
            throw conflict("connection_not_ready", "connection '" + conn.connectionId() + "' is " + conn.status().wire()
                    + "; edits and deletes are sent at once, so it must be ready");
        }
        try {
            engine.sendNow(conn.connectionId(), new EngineCommands.Send(WhatsappIds.newMessageId(), m.chatJid(), contentJson, null))
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EngineException.NotReady) {
                throw conflict("connection_not_ready", "connection '" + conn.connectionId() + "' is not connected right now");
            }
            if (cause instanceof EngineException.OwnerUnreachable o) {
                throw ApiException.unavailable(o);
            }
            throw conflict("refused_by_whatsapp", "WhatsApp did not take the change: " + cause.getMessage());
        } catch (TimeoutException e) {
            throw new ApiException.EngineUnavailable("WhatsApp did not answer within " + wait.toSeconds() + " s; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.EngineUnavailable("interrupted");
        }
    }

    private static ApiException conflict(String code, String message) {
        return new ApiException.Conflict(code, message);
    }
}
