package com.wagateway.whatsapp;

/**
 * Receives what the engine reports. Implementations are called on one dispatcher thread, in the
 * order the engine wrote its lines, so per-connection ordering is preserved; they must not block
 * for long.
 */
public interface EngineListener {

    /** One event from the engine. */
    void onEvent(EngineEvent event);

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
