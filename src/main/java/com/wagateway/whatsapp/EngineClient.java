package com.wagateway.whatsapp;

import java.util.concurrent.CompletableFuture;

/**
 * The one interface Java uses to drive WhatsApp sockets (the engine protocol's commands), typed:
 * arguments and results are records ({@link EngineCommands}), never protocol JSON.
 * Every method completes with the command's result, or exceptionally with an
 * {@link EngineException} subtype. Connection ids must already be validated.
 */
public interface EngineClient {

    /** Creates (or re-creates) the socket; the session folder is restored if it exists. */
    CompletableFuture<Void> start(String connectionId);

    /**
     * {@link #start}, but a live socket of the connection is kept rather than replaced. The
     * lifecycle's timers and notifications start this way: two of them that coincide (a lease
     * gained and a person's connect on another node) give one socket, not a second login
     * replacing the first; the engine runs a connection's starts one after the other.
     */
    CompletableFuture<Void> startIfAbsent(String connectionId);

    /** Closes the socket and keeps the session. */
    CompletableFuture<Void> stop(String connectionId);

    /** Unlinks the device and removes the session folder. */
    CompletableFuture<Void> logout(String connectionId);

    /** Closes the socket if any and removes the session folder. */
    CompletableFuture<Void> purge(String connectionId);

    /**
     * Sends one message. Fails with {@link EngineException.NotReady} (nothing attempted) or
     * {@link EngineException.SendFailed} (with Baileys' status code).
     */
    CompletableFuture<EngineCommands.Sent> send(String connectionId, EngineCommands.Send message);

    /**
     * Sends one message now, on whichever node runs the connection (an edit or delete a person
     * asked for through any node). {@link #send} is the send queue's: only on this node's engine,
     * since the dispatcher sends only what this node owns (a lost lease leaves the row to the owner).
     */
    default CompletableFuture<EngineCommands.Sent> sendNow(String connectionId, EngineCommands.Send message) {
        return send(connectionId, message);
    }

    /** Asks the phone for older messages of one chat; the answer comes as an on-demand history chunk. */
    CompletableFuture<Void> historyFetch(String connectionId, EngineCommands.HistoryFetch request);

    /** Sandbox: the simulated phone scans the showing QR. */
    CompletableFuture<Void> sandboxScan(String connectionId, String phone, String name);

    /** Sandbox: the simulated server closes the socket with this DisconnectReason code. */
    CompletableFuture<Void> sandboxDrop(String connectionId, int code);

    /** Sandbox: a simulated contact sends a message. */
    CompletableFuture<EngineCommands.InboundSent> sandboxInbound(String connectionId, EngineCommands.SandboxInbound message);

    /** Sandbox: the recipient's phone sends a receipt ({@code delivered}, {@code read}, {@code played}). */
    CompletableFuture<Void> sandboxReceipt(String connectionId, String providerMessageId, String status);

    /** Sandbox: the next {@code count} sends fail with Boom status {@code code}; completes with the failures pending. */
    CompletableFuture<Integer> sandboxFail(String connectionId, int count, int code);

    /** Sandbox: every message of this connection the emulator's contacts decrypted, with what they saw. */
    CompletableFuture<java.util.List<EngineCommands.SentToContact>> sandboxSent(String connectionId);

    /**
     * Asks the engine to download again the media of stored live messages whose download never
     * ended; the outcomes come as media events. Completes with how many were queued.
     */
    CompletableFuture<Integer> mediaFetch(String connectionId, java.util.List<EngineCommands.MediaFetch> messages);

    /** True when every engine process of the node is running and has completed the handshake. */
    boolean isAvailable();

    /**
     * True when the engine process that runs this connection is running and has completed the
     * handshake (with several processes, another one may be restarting meanwhile).
     */
    default boolean isAvailable(String connectionId) {
        return isAvailable();
    }

    /**
     * Lease fencing (issue 17): "every socket you run is mine for {@code forMs} more". Sent after
     * each successful lease renewal; if no new hold arrives in time, the engine closes every socket
     * itself (a paused JVM cannot do it). An engine that never got one keeps its sockets.
     */
    default CompletableFuture<Void> holdSockets(long forMs) {
        return CompletableFuture.completedFuture(null);
    }
}
