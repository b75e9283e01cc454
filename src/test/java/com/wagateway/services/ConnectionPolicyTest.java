package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.services.ConnectionPolicy.Action;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionPolicyTest {

    private final ConnectionPolicy policy = new ConnectionPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(7));

    /** Each code with the reason name Baileys gives it (DisconnectReason), as the engine reports it. */
    @ParameterizedTest(name = "{0} {1} while {2} -> {3} {4} ({5})")
    @CsvSource({
            "515, restartRequired, AUTHENTICATED, AUTHENTICATED, RESTART_NOW, restart_required",
            "515, restartRequired, READY, RECONNECTING, RESTART_NOW, restart_required",
            "401, loggedOut, READY, LOGGED_OUT, STOP_AND_PURGE, logged_out",
            "411, multideviceMismatch, READY, LOGGED_OUT, STOP_AND_PURGE, multidevice_mismatch",
            "440, connectionReplaced, READY, ERROR, STOP, replaced",
            "403, forbidden, READY, ERROR, STOP, forbidden",
            "408, timedOut, QR_READY, DISCONNECTED, STOP, qr_timeout",
            "408, connectionLost, READY, RECONNECTING, RESTART_LATER, connectionLost (408)",
            "428, connectionClosed, READY, RECONNECTING, RESTART_LATER, connectionClosed (428)",
            "500, badSession, READY, RECONNECTING, RESTART_LATER, badSession (500)",
            "503, unavailableService, INITIALIZING, RECONNECTING, RESTART_LATER, unavailableService (503)",
    })
    void closeCodesFollowThePolicyTable(int code, String name, ConnectionStatus shown, ConnectionStatus next, Action action,
                                        String reason) {
        ConnectionPolicy.Decision d = policy.onClose(shown, code, name, 0);
        assertThat(d.status()).isEqualTo(next);
        assertThat(d.action()).isEqualTo(action);
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.signal()).isEqualTo(ConnectionPolicy.closeSignal(code));
    }

    @Test
    void unknownCodeIsTransient() {
        ConnectionPolicy.Decision d = policy.onClose(ConnectionStatus.INITIALIZING, null, null, 2);
        assertThat(d.action()).isEqualTo(Action.RESTART_LATER);
        assertThat(d.attempt()).isEqualTo(3);
        assertThat(d.reason()).isEqualTo("unknown");
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        for (int attempt = 1; attempt <= 12; attempt++) {
            long full = Math.min(60_000, 1000L << (attempt - 1));
            Duration d = policy.backoff(attempt);
            assertThat(d.toMillis()).as("attempt %d", attempt).isBetween(full / 2, full);
        }
        assertThat(policy.backoff(100).toMillis()).isBetween(30_000L, 60_000L);
    }

    @Test
    void attemptsCountUpAcrossTransientCloses() {
        ConnectionPolicy.Decision first = policy.onClose(ConnectionStatus.READY, 428, "connectionClosed", 0);
        ConnectionPolicy.Decision second = policy.onClose(ConnectionStatus.RECONNECTING, 428, "connectionClosed", first.attempt());
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(second.attempt()).isEqualTo(2);
    }
}
