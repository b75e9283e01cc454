package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.whatsapp.ChatCommands;
import com.wagateway.whatsapp.EngineException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Showing "typing…", "recording audio…" or online/offline to contacts (issue 16 part 4). Each call
 * also subscribes to the contact's presence, so its updates reach the realtime channel
 * ({@code presence.update}). Nothing is stored: presence is momentary.
 */
@Service
public class PresenceService {

    /** What a connection can show ({@code recording}: recording a voice note). */
    public static final List<String> STATES = List.of("composing", "recording", "paused", "available", "unavailable");
    private static final Pattern USER_JID = Pattern.compile("^[0-9]{5,20}@(s\\.whatsapp\\.net|lid)$");

    private final ConnectionService connections;
    private final ChatCommands engine;

    public PresenceService(ConnectionService connections, ChatCommands engine) {
        this.connections = connections;
        this.engine = engine;
    }

    /** Who it went to (the contact's JID) and the state shown. */
    public record Sent(String connectionId, String to, String state) {
    }

    /**
     * Shows {@code state} to {@code to} (a phone number or a user JID). 400 for a bad state or
     * recipient, 409 {@code not_connected} unless the connection is ready, 409 {@code no_push_name}
     * for available/unavailable before WhatsApp gave the device its name (WhatsApp needs it).
     */
    public Sent send(String connectionId, String to, String state, Caller caller) {
        ConnectionRow row = connections.get(connectionId, caller);
        if (state == null || !STATES.contains(state)) {
            throw new ApiException.InvalidInput("invalid_state", "state", "state must be one of " + String.join(", ", STATES));
        }
        if (to == null || to.isBlank()) {
            throw new ApiException.InvalidInput("invalid_recipient", "to", "to must be a phone number or a user JID");
        }
        String jid = USER_JID.matcher(to).matches() ? to : PhoneNumbers.require(to, "to") + "@s.whatsapp.net";
        if (row.status() != ConnectionStatus.READY) {
            throw new ApiException.Conflict("not_connected", "'" + connectionId + "' is not connected to WhatsApp (status must be ready)");
        }
        try {
            engine.sendPresence(connectionId, jid, state).join();
        } catch (CompletionException e) {
            if (EngineException.of(e.getCause()) instanceof EngineException.InvalidState s) {
                throw new ApiException.Conflict("no_push_name", s.getMessage());
            }
            ContactService.call(() -> { throw e; });
        }
        return new Sent(connectionId, jid, state);
    }
}
