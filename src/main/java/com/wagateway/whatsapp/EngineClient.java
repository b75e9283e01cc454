package com.wagateway.whatsapp;

import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one interface Java uses to drive WhatsApp sockets (the engine protocol's commands).
 * Every method returns the command's result, or completes exceptionally with
 * {@link EngineException}. Connection ids must already be validated.
 */
public interface EngineClient {

    /** Creates (or re-creates) the socket; the session folder is restored if it exists. */
    CompletableFuture<JsonNode> start(String connectionId);

    /** Closes the socket and keeps the session. */
    CompletableFuture<JsonNode> stop(String connectionId);

    /** Unlinks the device and removes the session folder. */
    CompletableFuture<JsonNode> logout(String connectionId);

    /** Closes the socket if any and removes the session folder. */
    CompletableFuture<JsonNode> purge(String connectionId);

    /** Sandbox: the simulated phone scans the showing QR. */
    CompletableFuture<JsonNode> sandboxScan(String connectionId, String phone, String name);

    /** Sandbox: the simulated server closes the socket with this DisconnectReason code. */
    CompletableFuture<JsonNode> sandboxDrop(String connectionId, int code);

    /**
     * Sends one message ({@code messageId}, {@code jid}, {@code content}, {@code quoted?}; see the
     * protocol's {@code send}). Result: {@code providerMessageId, remoteJid, timestamp, message}.
     * Fails with {@code not_ready} (nothing attempted) or {@code send_failed} (with statusCode).
     */
    CompletableFuture<JsonNode> send(String connectionId, ObjectNode args);

    /** Asks the phone for older messages of one chat ({@code count, oldestKey, oldestTimestamp}). */
    CompletableFuture<JsonNode> historyFetch(String connectionId, ObjectNode args);

    /** Sandbox: any {@code sandbox.<cmd>} command (inbound, receipt, fail, retryRequest, sent). */
    CompletableFuture<JsonNode> sandbox(String cmd, String connectionId, ObjectNode args);

    /** An empty argument object for the methods above. */
    ObjectNode newArgs();

    /** True when an engine process is running and has completed the handshake. */
    boolean isAvailable();
}
