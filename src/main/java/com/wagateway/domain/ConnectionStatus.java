package com.wagateway.domain;

/**
 * The states a connection shows (the connection-flow seed's five, plus reconnecting, error and
 * logged_out). {@link ConnectionPolicy} is the one place that decides transitions.
 */
public enum ConnectionStatus {
    DISCONNECTED, INITIALIZING, QR_READY, AUTHENTICATED, READY, RECONNECTING, ERROR, LOGGED_OUT;

    /** The value stored and shown on the API ({@code qr_ready}, ...). */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ConnectionStatus fromWire(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    /** States in which a socket is, or is about to be, held by the engine. */
    public boolean isActive() {
        return this == INITIALIZING || this == QR_READY || this == AUTHENTICATED || this == READY || this == RECONNECTING;
    }
}
