package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ConnectionStateMachine.Rule;
import com.wagateway.services.ConnectionStateMachine.Signal;
import com.wagateway.services.ConnectionStateMachine.Write;
import com.wagateway.shared.Backoff;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What a socket close means (ARCHITECTURE.md, "Connection lifecycle"): Baileys' DisconnectReason
 * code becomes a {@link Signal}, the {@link ConnectionStateMachine} table decides the next status
 * and action, and this class adds the attempt count and the backoff. Pure, so it is testable on
 * its own; the table itself lives only in the state machine.
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
     * @param signal  the close as the state machine knows it
     */
    public record Decision(ConnectionStatus status, String reason, Action action, int attempt, Duration delay, Signal signal) {
    }

    // Baileys DisconnectReason status codes
    public static final int CONNECTION_REPLACED = 440;
    public static final int TIMED_OUT = 408;
    public static final int LOGGED_OUT = 401;
    public static final int RESTART_REQUIRED = 515;
    public static final int MULTIDEVICE_MISMATCH = 411;
    public static final int FORBIDDEN = 403;

    private final Backoff backoff;
    private final RandomGenerator random;

    public ConnectionPolicy(Duration base, Duration cap, RandomGenerator random) {
        this.backoff = new Backoff(base, cap, Backoff.EQUAL_JITTER);
        this.random = random;
    }

    /** The state machine's signal for a DisconnectReason code; null (no code) is transient. */
    public static Signal closeSignal(Integer code) {
        int c = code == null ? -1 : code;
        return switch (c) {
            case RESTART_REQUIRED -> Signal.CLOSED_RESTART_REQUIRED;
            case LOGGED_OUT -> Signal.CLOSED_LOGGED_OUT;
            case MULTIDEVICE_MISMATCH -> Signal.CLOSED_MULTIDEVICE_MISMATCH;
            case CONNECTION_REPLACED -> Signal.CLOSED_REPLACED;
            case FORBIDDEN -> Signal.CLOSED_FORBIDDEN;
            case TIMED_OUT -> Signal.CLOSED_TIMED_OUT;
            default -> Signal.CLOSED_OTHER;
        };
    }

    /**
     * Decides the outcome of a close. Closes are legal from every state, so this always decides.
     *
     * @param shown    the status the connection showed when the socket closed
     * @param code     DisconnectReason code, or null when Baileys gave none (treated as transient)
     * @param reason   Baileys' reason name (e.g. {@code connectionClosed}), for display
     * @param attempts reconnect attempts already made since the last {@code ready}
     */
    public Decision onClose(ConnectionStatus shown, Integer code, String reason, int attempts) {
        Signal signal = closeSignal(code);
        Rule rule = ConnectionStateMachine.next(shown, signal)
                .orElseThrow(() -> new IllegalStateException("no rule for a close " + signal + " while " + shown));
        String name = reason == null || reason.isBlank() ? "unknown" : reason;
        String why = rule.reason() != null ? rule.reason() : code != null && code > 0 ? name + " (" + code + ")" : name;
        return switch (rule.effect()) {
            case START_NOW -> new Decision(rule.to(), why, Action.RESTART_NOW, attempts, Duration.ZERO, signal);
            case START_LATER -> new Decision(rule.to(), why, Action.RESTART_LATER, attempts + 1, backoff(attempts + 1), signal);
            case PURGE -> new Decision(rule.to(), why, Action.STOP_AND_PURGE, 0, Duration.ZERO, signal);
            case NONE -> {
                if (rule.write() != Write.STOPPED) {
                    throw new IllegalStateException("a close must stop or restart: " + rule);
                }
                yield new Decision(rule.to(), why, Action.STOP, 0, Duration.ZERO, signal);
            }
        };
    }

    /** The wait before reconnect attempt {@code attempt}: the shared {@link Backoff} with equal jitter. */
    public Duration backoff(int attempt) {
        return backoff.delay(attempt, random);
    }
}
