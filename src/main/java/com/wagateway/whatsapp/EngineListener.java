package com.wagateway.whatsapp;

import java.util.List;

/**
 * Receives what the engine reports. Implementations are called on one dispatcher thread, in the
 * order the engine wrote its lines, so per-connection ordering is preserved; they must not block
 * for long.
 */
public interface EngineListener {

    /** One event from the engine. */
    void onEvent(EngineEvent event);

    /**
     * Several consecutive message events ({@link EngineEvent.MessageEvent}) that were waiting
     * together, in engine order. A listener may apply them together (one transaction: group
     * commit); by default each is handed to {@link #onEvent} in turn.
     */
    default void onEvents(List<EngineEvent> events) {
        for (EngineEvent e : events) {
            onEvent(e);
        }
    }

    /**
     * A fresh engine process completed its handshake; it runs the connections of {@code share}
     * (one process of the node's pool). {@code restart} is false for that process' first start in
     * this JVM (restore its linked sessions) and true after it crashed (resume its running
     * connections). The other processes' connections are not concerned.
     */
    default void onEngineStarted(EngineShare share, boolean restart) {
    }

    /**
     * One engine process exited; every socket of {@code share} is gone (the other processes'
     * sockets are untouched). A restart of that process follows with backoff.
     */
    default void onEngineStopped(EngineShare share, String why) {
    }
}
