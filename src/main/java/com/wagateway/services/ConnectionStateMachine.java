package com.wagateway.services;

import static com.wagateway.domain.ConnectionStatus.AUTHENTICATED;
import static com.wagateway.domain.ConnectionStatus.DISCONNECTED;
import static com.wagateway.domain.ConnectionStatus.ERROR;
import static com.wagateway.domain.ConnectionStatus.INITIALIZING;
import static com.wagateway.domain.ConnectionStatus.LOGGED_OUT;
import static com.wagateway.domain.ConnectionStatus.QR_READY;
import static com.wagateway.domain.ConnectionStatus.READY;
import static com.wagateway.domain.ConnectionStatus.RECONNECTING;

import com.wagateway.domain.ConnectionStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one connection state machine (ARCHITECTURE.md, "Connection lifecycle"): a table from
 * (shown status × signal) to (next status, how it is stored, what to do, reason). Pure and
 * complete: a pair that is not in the table is an illegal transition, which the caller refuses
 * (logs, counts, does not apply). {@link ConnectionTransitions} is the only writer that uses it;
 * SQL only persists what the table decided.
 *
 * <p>A reason of {@code null} in a rule means "the signal's own reason" (e.g. Baileys' close
 * name with its code for a transient close).
 */
public final class ConnectionStateMachine {

    /** What happened to a connection. */
    public enum Signal {
        /** A person or API client asked to connect (get a QR / restore the session). */
        USER_CONNECT,
        /** A person asked to disconnect (session kept). */
        USER_DISCONNECT,
        /** A person asked to log out (session removed). */
        USER_LOGOUT,
        /** A person deleted the connection (last status before the row goes). */
        USER_DELETE,
        /** connect: the engine process is down; it is started when the engine is back. */
        ENGINE_UNAVAILABLE,
        /** connect: the engine refused the start (bad state, internal error). */
        ENGINE_REFUSED,
        /** The engine process died; every wanted connection waits for it. */
        ENGINE_DIED,
        /** Boot: wanted and linked, so it is restored. */
        BOOT_RESTORE,
        /** Boot: wanted but never linked; stopped (no QR loop without a person). */
        BOOT_UNLINKED,
        /** Boot: not wanted; a status that claims a socket becomes disconnected. */
        BOOT_STOP,
        /** The engine created a socket. */
        SOCKET_CONNECTING,
        /** A QR ref is showing. */
        QR,
        /** The phone linked (or a stored login was accepted). */
        AUTHENTICATED,
        /** The socket is open. */
        READY,
        /** Closed with 515 restartRequired (normal after pairing). */
        CLOSED_RESTART_REQUIRED,
        /** Closed with 401 loggedOut. */
        CLOSED_LOGGED_OUT,
        /** Closed with 411 multideviceMismatch. */
        CLOSED_MULTIDEVICE_MISMATCH,
        /** Closed with 440 connectionReplaced (another client took over). */
        CLOSED_REPLACED,
        /** Closed with 403 forbidden. */
        CLOSED_FORBIDDEN,
        /** Closed with 408 timedOut (a QR session nobody scanned, or a lost connection). */
        CLOSED_TIMED_OUT,
        /** Any other close (428, 500, 503, network, no code): transient. */
        CLOSED_OTHER
    }

    /** How the decision is stored (one {@code ConnectionRepository.mark*} each). */
    public enum Write {
        /** Nothing changes (a legal no-op, e.g. "connecting" while already connecting). */
        NONE,
        /** Wanted running, shown initializing, QR, attempts and retry time cleared. */
        STARTING,
        /** A QR ref is stored with its image and expiry. */
        QR,
        /** Linked: account fields stored, QR cleared. */
        AUTHENTICATED,
        /** Open: account fields stored, attempts reset, connected_at set. */
        READY,
        /** Reconnecting with an attempt count and next retry time, QR cleared. */
        RECONNECTING,
        /** Only status and reason change. */
        STATUS,
        /** Not wanted any more; session kept. */
        STOPPED,
        /** Not wanted any more; session gone. */
        STOPPED_PURGED
    }

    /** What the lifecycle does once the write is committed. */
    public enum Effect {
        NONE,
        /** Dial again at once (515), no failure counted. */
        START_NOW,
        /** Dial again after the backoff of the next attempt. */
        START_LATER,
        /** Remove the session folder (logged out by WhatsApp). */
        PURGE
    }

    /** One row of the table. */
    public record Rule(ConnectionStatus to, Write write, Effect effect, String reason) {
    }

    private static final Set<ConnectionStatus> ANY = EnumSet.allOf(ConnectionStatus.class);
    private static final Set<ConnectionStatus> STOPPED_STATES = EnumSet.of(DISCONNECTED, ERROR, LOGGED_OUT);
    private static final Set<ConnectionStatus> ACTIVE_STATES = EnumSet.complementOf(EnumSet.of(DISCONNECTED, ERROR, LOGGED_OUT));

    private static final Map<ConnectionStatus, Map<Signal, Rule>> TABLE = build();

    private ConnectionStateMachine() {
    }

    /** The rule for {@code signal} while the connection shows {@code from}; empty = illegal. */
    public static Optional<Rule> next(ConnectionStatus from, Signal signal) {
        return Optional.ofNullable(TABLE.get(from).get(signal));
    }

    /** The whole table (read-only), for tests and docs. */
    public static Map<ConnectionStatus, Map<Signal, Rule>> table() {
        return TABLE;
    }

    private static Map<ConnectionStatus, Map<Signal, Rule>> build() {
        Map<ConnectionStatus, Map<Signal, Rule>> t = new EnumMap<>(ConnectionStatus.class);
        for (ConnectionStatus s : ConnectionStatus.values()) {
            t.put(s, new EnumMap<>(Signal.class));
        }
        // people and the process: always allowed, whatever the socket was doing
        rule(t, ANY, Signal.USER_CONNECT, INITIALIZING, Write.STARTING, Effect.NONE, null);
        rule(t, ANY, Signal.USER_DISCONNECT, DISCONNECTED, Write.STOPPED, Effect.NONE, "user_disconnect");
        rule(t, ANY, Signal.USER_LOGOUT, LOGGED_OUT, Write.STOPPED_PURGED, Effect.NONE, "user_logout");
        rule(t, ANY, Signal.USER_DELETE, DISCONNECTED, Write.STOPPED_PURGED, Effect.NONE, "deleted");
        rule(t, ANY, Signal.ENGINE_UNAVAILABLE, RECONNECTING, Write.STATUS, Effect.NONE, "engine_unavailable");
        rule(t, ANY, Signal.ENGINE_REFUSED, ERROR, Write.STOPPED, Effect.NONE, null);
        rule(t, ANY, Signal.ENGINE_DIED, RECONNECTING, Write.RECONNECTING, Effect.NONE, "engine_restart");
        rule(t, ANY, Signal.BOOT_RESTORE, INITIALIZING, Write.STARTING, Effect.NONE, "restoring");
        rule(t, ANY, Signal.BOOT_UNLINKED, DISCONNECTED, Write.STOPPED, Effect.NONE, "server_restart");
        rule(t, ACTIVE_STATES, Signal.BOOT_STOP, DISCONNECTED, Write.STOPPED, Effect.NONE, "server_restart");
        for (ConnectionStatus s : STOPPED_STATES) {
            rule(t, EnumSet.of(s), Signal.BOOT_STOP, s, Write.NONE, Effect.NONE, null); // already shows a stop
        }

        // the socket's own signals
        rule(t, STOPPED_STATES, Signal.SOCKET_CONNECTING, INITIALIZING, Write.STATUS, Effect.NONE, null);
        for (ConnectionStatus s : ACTIVE_STATES) {
            rule(t, EnumSet.of(s), Signal.SOCKET_CONNECTING, s, Write.NONE, Effect.NONE, null);
        }
        rule(t, EnumSet.of(INITIALIZING, QR_READY, RECONNECTING), Signal.QR, QR_READY, Write.QR, Effect.NONE, null);
        rule(t, EnumSet.of(INITIALIZING, QR_READY, AUTHENTICATED, RECONNECTING), Signal.AUTHENTICATED, AUTHENTICATED,
                Write.AUTHENTICATED, Effect.NONE, null);
        // a late "authenticated" of an open socket confirms what ready already says
        rule(t, EnumSet.of(READY), Signal.AUTHENTICATED, READY, Write.NONE, Effect.NONE, null);
        rule(t, ACTIVE_STATES, Signal.READY, READY, Write.READY, Effect.NONE, null);

        // closes (Baileys DisconnectReason), from any state: a socket may close at any time
        // 515 right after pairing keeps showing authenticated; otherwise reconnecting until open
        for (ConnectionStatus s : ANY) {
            ConnectionStatus restarting = s == AUTHENTICATED ? AUTHENTICATED : RECONNECTING;
            rule(t, EnumSet.of(s), Signal.CLOSED_RESTART_REQUIRED, restarting,
                    s == restarting ? Write.NONE : Write.STATUS, Effect.START_NOW, "restart_required");
        }
        rule(t, ANY, Signal.CLOSED_LOGGED_OUT, LOGGED_OUT, Write.STOPPED_PURGED, Effect.PURGE, "logged_out");
        rule(t, ANY, Signal.CLOSED_MULTIDEVICE_MISMATCH, LOGGED_OUT, Write.STOPPED_PURGED, Effect.PURGE, "multidevice_mismatch");
        rule(t, ANY, Signal.CLOSED_REPLACED, ERROR, Write.STOPPED, Effect.NONE, "replaced");
        rule(t, ANY, Signal.CLOSED_FORBIDDEN, ERROR, Write.STOPPED, Effect.NONE, "forbidden");
        // Baileys ends a QR session nobody scanned with 408: no endless QR loop
        rule(t, EnumSet.of(QR_READY), Signal.CLOSED_TIMED_OUT, DISCONNECTED, Write.STOPPED, Effect.NONE, "qr_timeout");
        rule(t, EnumSet.complementOf(EnumSet.of(QR_READY)), Signal.CLOSED_TIMED_OUT, RECONNECTING, Write.RECONNECTING,
                Effect.START_LATER, null);
        rule(t, ANY, Signal.CLOSED_OTHER, RECONNECTING, Write.RECONNECTING, Effect.START_LATER, null);

        Map<ConnectionStatus, Map<Signal, Rule>> frozen = new EnumMap<>(ConnectionStatus.class);
        t.forEach((from, rules) -> frozen.put(from, Collections.unmodifiableMap(rules)));
        return Collections.unmodifiableMap(frozen);
    }

    private static void rule(Map<ConnectionStatus, Map<Signal, Rule>> t, Set<ConnectionStatus> from, Signal signal,
                             ConnectionStatus to, Write write, Effect effect, String reason) {
        for (ConnectionStatus s : from) {
            if (t.get(s).put(signal, new Rule(to, write, effect, reason)) != null) {
                throw new IllegalStateException("two rules for " + s + " x " + signal);
            }
        }
    }
}
