package com.wagateway.whatsapp;

import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

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

    /** True when an engine process is running and has completed the handshake. */
    boolean isAvailable();
}
