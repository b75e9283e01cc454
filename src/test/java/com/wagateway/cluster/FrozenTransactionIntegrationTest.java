package com.wagateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wagateway.database.LeaseRepository;
import com.wagateway.services.ConnectionLeases;
import com.wagateway.support.GatewayHarness;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A node frozen in the middle of a transaction (SIGSTOP while an auth save holds its lease row
 * {@code FOR SHARE}) must not keep its connection from moving: takeovers skip locked rows, so
 * without a bound the row stayed locked, and unclaimable, for as long as the node was frozen (a
 * CI run of the failover test showed one connection that never moved). Every pooled session has
 * an idle-in-transaction timeout of half the lease TTL, so PostgreSQL ends the frozen session,
 * rolls its transaction back and frees the row.
 */
class FrozenTransactionIntegrationTest {

    @Test
    void aTransactionLeftOpenByAFrozenNodeIsEndedAndItsLeaseIsTakenOver() throws SQLException {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("frozen-tx"));
        settings.put("gateway.cluster.lease-ttl", "4s");
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            String id = "frozen_tx";
            gw.link(id, "923441110077", Duration.ofSeconds(60));
            gw.bean(ConnectionLeases.class).renewals(false); // the node stops renewing, as a frozen one does
            var jdbc = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
            jdbc.sql("UPDATE connection_leases SET expires_at = now() - interval '1 second' WHERE connection_id = ?")
                    .param(id).update();

            // the frozen node's auth save: its lease row locked FOR SHARE, then nothing more is sent
            Connection frozen = gw.bean(DataSource.class).getConnection();
            try {
                frozen.setAutoCommit(false);
                try (PreparedStatement ps = frozen.prepareStatement(
                        "SELECT 1 FROM connection_leases WHERE connection_id = ? FOR SHARE")) {
                    ps.setString(1, id);
                    assertThat(ps.executeQuery().next()).isTrue();
                }
                LeaseRepository leases = gw.bean(LeaseRepository.class);
                assertThat(leases.claim("node-elsewhere", 10, Duration.ofSeconds(4), List.of()))
                        .as("skipped while the frozen transaction holds the row").isEmpty();

                // another node's claims, as its ticks would make them
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                List<LeaseRepository.Held> taken = List.of();
                while (taken.isEmpty() && System.nanoTime() < deadline) {
                    GatewayHarness.sleep(200);
                    taken = leases.claim("node-elsewhere", 10, Duration.ofSeconds(4), List.of());
                }
                assertThat(taken).as("the lease taken over once PostgreSQL ended the frozen transaction")
                        .extracting(LeaseRepository.Held::connectionId).containsExactly(id);
                // the frozen node's transaction is gone: what it would commit on resuming is refused
                assertThatThrownBy(frozen::commit).isInstanceOf(SQLException.class);
            } finally {
                try {
                    frozen.close();
                } catch (SQLException ignored) {
                    // the session was ended by the server; the pool drops it
                }
            }
        }
    }
}
