package com.wagateway.whatsapp;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * What the engine process reports, as immutable records. Nothing here names a Baileys field:
 * the engine maps Baileys objects to the protocol (docs/engine-protocol.md) and
 * {@link EngineEvents} maps protocol lines to these records. Each record says when it fires
 * and what the receiver is expected to do.
 */
public sealed interface EngineEvent {

    /** The connection this event belongs to. */
    String connectionId();

    /** The socket was created and is dialing WhatsApp. Receiver: show {@code initializing}. */
    record Connecting(String connectionId) implements EngineEvent { }

    /**
     * A new QR ref is showing; it replaces any earlier one and is valid until {@code expiresAt}.
     * Receiver: {@code qr_ready}, store raw string and image, push to the dashboard.
     */
    record QrIssued(String connectionId, String qr, Instant expiresAt, int ref) implements EngineEvent { }

    /**
     * The phone linked this device (or a stored login was accepted). Receiver: {@code authenticated},
     * store the phone; the session folder now holds a registered login.
     */
    record Authenticated(String connectionId, String jid, String phone, String name, boolean newLogin)
            implements EngineEvent { }

    /** The socket is open and usable. Receiver: {@code ready}, reset reconnect attempts. */
    record Ready(String connectionId, String jid, String phone, String name) implements EngineEvent { }

    /**
     * The socket closed without being asked to. {@code code} is Baileys' DisconnectReason status code
     * (null when unknown). The engine has already dropped the socket: the receiver decides whether and
     * when to start it again (see {@code ConnectionPolicy}).
     */
    record Disconnected(String connectionId, Integer code, String reason, String message,
                        boolean wasOpen, boolean wasAuthenticated) implements EngineEvent { }

    /** The message family: handled by the messaging layer, in engine order, never by the state machine. */
    sealed interface MessageEvent extends EngineEvent { }

    /** Baileys {@code messages.upsert}, mapped; the messaging layer gives it meaning. */
    record MessagesUpserted(String connectionId, JsonNode data) implements MessageEvent { }

    /** Baileys {@code messages.update} and {@code message-receipt.update} (receipts, edits), mapped. */
    record MessagesUpdated(String connectionId, JsonNode data) implements MessageEvent { }

    /** Baileys {@code messaging-history.set}, mapped. */
    record HistoryChunk(String connectionId, JsonNode data) implements MessageEvent { }

    /** LID to phone-number pairs became known ({@code contacts.lid}). Receiver: remember them. */
    record LidMappings(String connectionId, JsonNode data) implements MessageEvent { }
}
