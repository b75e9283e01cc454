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
     * A fresh engine process completed its handshake. {@code restart} is false for the first start
     * of this JVM (restore linked sessions) and true after a crash (resume every running connection).
     */
    default void onEngineStarted(boolean restart) {
    }

    /** The engine process exited; every socket it held is gone. A restart follows with backoff. */
    default void onEngineStopped(String why) {
    }
}
