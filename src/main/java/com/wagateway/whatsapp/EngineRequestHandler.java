package com.wagateway.whatsapp;

import tools.jackson.databind.JsonNode;

/**
 * Answers requests the engine sends to Java (protocol "Requests"), e.g. Baileys'
 * {@code getMessage}. Called on a small worker pool, never on the event thread; the engine gives
 * up after 5 s, so implementations answer from the database directly.
 */
public interface EngineRequestHandler {

    /**
     * Returns the {@code result} object for the {@code respond} command, or null when the answer
     * is "nothing" (unknown request or unknown message).
     */
    JsonNode handle(String request, String connectionId, JsonNode data);
}
