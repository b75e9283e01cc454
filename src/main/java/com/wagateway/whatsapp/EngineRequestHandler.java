package com.wagateway.whatsapp;

/**
 * Answers requests the engine sends to Java (protocol "Requests"). Called on a small worker pool,
 * never on the event thread; the engine gives up after 5 s, so implementations answer from the
 * database directly.
 */
public interface EngineRequestHandler {

    /**
     * Baileys' {@code getMessage}: a recipient asked for one of our messages again (retry
     * receipt). Returns the content stored for WhatsApp id {@code messageId} on this connection
     * (JSON text, as the {@code send} result or mapped message gave it), or null when unknown.
     */
    String storedContent(String connectionId, String messageId);
}
