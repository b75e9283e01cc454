package com.wagateway.services;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The per-reason policy for a socket that closed without being asked to (ARCHITECTURE.md,
 * "Connection lifecycle"). Pure: given the state the connection showed and Baileys'
 * DisconnectReason code, it returns what to show and what to do, so the table is testable on
 * its own and lives in exactly one place.
 */
public final class ConnectionPolicy {

    /** What to do after a close. */
    public enum Action {
        /** Dial again at once (515 restartRequired, normal after pairing); not a failure. */
        RESTART_NOW,
        /** Dial again after {@link Decision#delay()}. */
        RESTART_LATER,
        /** Stop; a person must act (QR timeout, replaced, forbidden). Session kept. */
        STOP,
        /** Stop and remove the session folder (logged out). */
        STOP_AND_PURGE
    }

    /**
     * @param status  what the connection shows next
     * @param reason  machine-readable reason kept with the status
     * @param action  what the lifecycle does
     * @param attempt reconnect attempt number (for RESTART_LATER), else 0
     * @param delay   wait before the next dial (RESTART_LATER), else zero
     */
    public record Decision(ConnectionStatus status, String reason, Action action, int attempt, Duration delay) {
    }

    // Baileys DisconnectReason status codes
    public static final int CONNECTION_REPLACED = 440;
    public static final int TIMED_OUT = 408;
    public static final int LOGGED_OUT = 401;
    public static final int RESTART_REQUIRED = 515;
    public static final int MULTIDEVICE_MISMATCH = 411;
    public static final int FORBIDDEN = 403;

    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public ConnectionPolicy(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /**
     * Decides the outcome of a close.
     *
     * @param shown    the status the connection showed when the socket closed
     * @param code     DisconnectReason code, or null when Baileys gave none (treated as transient)
     * @param reason   Baileys' reason name (e.g. {@code connectionClosed}), for display
     * @param attempts reconnect attempts already made since the last {@code ready}
     */
    public Decision onClose(ConnectionStatus shown, Integer code, String reason, int attempts) {
        int c = code == null ? -1 : code;
        String name = reason == null || reason.isBlank() ? "unknown" : reason;
        if (c == RESTART_REQUIRED) {
            ConnectionStatus next = shown == ConnectionStatus.AUTHENTICATED ? ConnectionStatus.AUTHENTICATED
                    : ConnectionStatus.RECONNECTING;
            return new Decision(next, "restart_required", Action.RESTART_NOW, attempts, Duration.ZERO);
        }
        if (c == LOGGED_OUT) {
            return new Decision(ConnectionStatus.LOGGED_OUT, "logged_out", Action.STOP_AND_PURGE, 0, Duration.ZERO);
        }
        if (c == MULTIDEVICE_MISMATCH) {
            return new Decision(ConnectionStatus.LOGGED_OUT, "multidevice_mismatch", Action.STOP_AND_PURGE, 0, Duration.ZERO);
        }
        if (c == CONNECTION_REPLACED) {
            return new Decision(ConnectionStatus.ERROR, "replaced", Action.STOP, 0, Duration.ZERO);
        }
        if (c == FORBIDDEN) {
            return new Decision(ConnectionStatus.ERROR, "forbidden", Action.STOP, 0, Duration.ZERO);
        }
        if (c == TIMED_OUT && shown == ConnectionStatus.QR_READY) {
            // Baileys ends a QR session nobody scanned with 408: no endless QR loop
            return new Decision(ConnectionStatus.DISCONNECTED, "qr_timeout", Action.STOP, 0, Duration.ZERO);
        }
        int attempt = attempts + 1;
        String why = c > 0 ? name + " (" + c + ")" : name;
        return new Decision(ConnectionStatus.RECONNECTING, why, Action.RESTART_LATER, attempt, backoff(attempt));
    }

    /**
     * Exponential backoff with "equal jitter": the n-th wait is uniformly drawn from
     * [d/2, d] with d = min(cap, base * 2^(n-1)), so retries spread out but never exceed the cap.
     */
    public Duration backoff(int attempt) {
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        long d = capMs;
        if (attempt - 1 < 31) {
            d = Math.min(capMs, baseMs * (1L << Math.max(0, attempt - 1)));
        }
        long half = d / 2;
        return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}
