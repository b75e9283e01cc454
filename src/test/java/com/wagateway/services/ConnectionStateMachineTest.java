package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.services.ConnectionStateMachine.Effect;
import com.wagateway.services.ConnectionStateMachine.Rule;
import com.wagateway.services.ConnectionStateMachine.Signal;
import com.wagateway.services.ConnectionStateMachine.Write;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The transition table, written out independently as the specification below (one line per
 * group of rows), and compared with the state machine in both directions: every (state, signal)
 * pair of the spec has exactly this rule, and every pair not in the spec is refused.
 */
class ConnectionStateMachineTest {

    /**
     * from | signal | to (or "same") | write | effect | reason ("-" = the signal's own).
     * from: a state, several joined by "+", "*" (all), "active" or "stopped".
     */
    static final String SPEC = """
            *       | USER_CONNECT                | INITIALIZING  | STARTING       | NONE        | -
            *       | USER_DISCONNECT             | DISCONNECTED  | STOPPED        | NONE        | user_disconnect
            *       | USER_LOGOUT                 | LOGGED_OUT    | STOPPED_PURGED | NONE        | user_logout
            *       | USER_DELETE                 | DISCONNECTED  | STOPPED_PURGED | NONE        | deleted
            *       | ENGINE_UNAVAILABLE          | RECONNECTING  | STATUS         | NONE        | engine_unavailable
            *       | ENGINE_REFUSED              | ERROR         | STOPPED        | NONE        | -
            *       | ENGINE_DIED                 | RECONNECTING  | RECONNECTING   | NONE        | engine_restart
            *       | BOOT_RESTORE                | INITIALIZING  | STARTING       | NONE        | restoring
            *       | BOOT_UNLINKED               | DISCONNECTED  | STOPPED        | NONE        | server_restart
            active  | BOOT_STOP                   | DISCONNECTED  | STOPPED        | NONE        | server_restart
            stopped | BOOT_STOP                   | same          | NONE           | NONE        | -
            stopped | SOCKET_CONNECTING           | INITIALIZING  | STATUS         | NONE        | -
            active  | SOCKET_CONNECTING           | same          | NONE           | NONE        | -
            INITIALIZING+QR_READY+RECONNECTING | QR | QR_READY | QR           | NONE        | -
            INITIALIZING+QR_READY+AUTHENTICATED+RECONNECTING | AUTHENTICATED | AUTHENTICATED | AUTHENTICATED | NONE | -
            READY   | AUTHENTICATED               | same          | NONE           | NONE        | -
            active  | READY                       | READY         | READY          | NONE        | -
            AUTHENTICATED+RECONNECTING | CLOSED_RESTART_REQUIRED | same | NONE     | START_NOW   | restart_required
            DISCONNECTED+INITIALIZING+QR_READY+READY+ERROR+LOGGED_OUT | CLOSED_RESTART_REQUIRED | RECONNECTING | STATUS | START_NOW | restart_required
            *       | CLOSED_LOGGED_OUT           | LOGGED_OUT    | STOPPED_PURGED | PURGE       | logged_out
            *       | CLOSED_MULTIDEVICE_MISMATCH | LOGGED_OUT    | STOPPED_PURGED | PURGE       | multidevice_mismatch
            *       | CLOSED_REPLACED             | ERROR         | STOPPED        | NONE        | replaced
            *       | CLOSED_FORBIDDEN            | ERROR         | STOPPED        | NONE        | forbidden
            QR_READY | CLOSED_TIMED_OUT           | DISCONNECTED  | STOPPED        | NONE        | qr_timeout
            DISCONNECTED+INITIALIZING+AUTHENTICATED+READY+RECONNECTING+ERROR+LOGGED_OUT | CLOSED_TIMED_OUT | RECONNECTING | RECONNECTING | START_LATER | -
            *       | CLOSED_OTHER                | RECONNECTING  | RECONNECTING   | START_LATER | -
            """;

    @Test
    void everyRowOfTheSpecIsTheMachinesRuleAndNothingElseIsAllowed() {
        Map<ConnectionStatus, Map<Signal, Rule>> spec = parse();
        int rows = 0;
        for (ConnectionStatus from : ConnectionStatus.values()) {
            for (Signal signal : Signal.values()) {
                Rule expected = spec.getOrDefault(from, Map.of()).get(signal);
                assertThat(ConnectionStateMachine.next(from, signal).orElse(null))
                        .as("%s while %s", signal, from).isEqualTo(expected);
                rows += expected == null ? 0 : 1;
            }
        }
        assertThat(rows).as("rows in the table").isEqualTo(
                ConnectionStateMachine.table().values().stream().mapToInt(Map::size).sum());
    }

    @Test
    void illegalTransitionsExist() {
        // the ones the table refuses: a QR or a login for a socket that is already linked or stopped
        assertThat(ConnectionStateMachine.next(ConnectionStatus.READY, Signal.QR)).isEmpty();
        assertThat(ConnectionStateMachine.next(ConnectionStatus.AUTHENTICATED, Signal.QR)).isEmpty();
        assertThat(ConnectionStateMachine.next(ConnectionStatus.DISCONNECTED, Signal.READY)).isEmpty();
        assertThat(ConnectionStateMachine.next(ConnectionStatus.LOGGED_OUT, Signal.AUTHENTICATED)).isEmpty();
    }

    @Test
    void everyCloseIsDecidedFromEveryState() {
        for (Signal s : Signal.values()) {
            if (s.name().startsWith("CLOSED_")) {
                for (ConnectionStatus from : ConnectionStatus.values()) {
                    Rule r = ConnectionStateMachine.next(from, s).orElseThrow();
                    assertThat(r.effect() != Effect.NONE || r.write() == Write.STOPPED)
                            .as("%s while %s either restarts, purges or stops", s, from).isTrue();
                }
            }
        }
    }

    private static Map<ConnectionStatus, Map<Signal, Rule>> parse() {
        Map<ConnectionStatus, Map<Signal, Rule>> t = new HashMap<>();
        for (String line : SPEC.strip().split("\n")) {
            String[] f = line.split("\\|");
            Signal signal = Signal.valueOf(f[1].strip());
            for (ConnectionStatus from : states(f[0].strip())) {
                String to = f[2].strip();
                String reason = f[5].strip();
                Rule rule = new Rule(to.equals("same") ? from : ConnectionStatus.valueOf(to), Write.valueOf(f[3].strip()),
                        Effect.valueOf(f[4].strip()), reason.equals("-") ? null : reason);
                Rule old = t.computeIfAbsent(from, k -> new HashMap<>()).put(signal, rule);
                assertThat(old).as("spec has two rows for %s x %s", from, signal).isNull();
            }
        }
        return t;
    }

    private static Set<ConnectionStatus> states(String spec) {
        EnumSet<ConnectionStatus> stopped = EnumSet.of(ConnectionStatus.DISCONNECTED, ConnectionStatus.ERROR, ConnectionStatus.LOGGED_OUT);
        return switch (spec) {
            case "*" -> EnumSet.allOf(ConnectionStatus.class);
            case "stopped" -> stopped;
            case "active" -> EnumSet.complementOf(stopped);
            default -> {
                EnumSet<ConnectionStatus> s = EnumSet.noneOf(ConnectionStatus.class);
                for (String name : spec.split("\\+")) {
                    s.add(ConnectionStatus.valueOf(name.strip()));
                }
                yield s;
            }
        };
    }
}
