package com.wagateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 3: a transaction the embedded PostgreSQL reported committed survives a crash of
 * the server ({@code kill -9} of the postmaster right after the commit). With zonky's defaults
 * (synchronous_commit off) the last commits were still in the WAL buffers and were lost.
 */
class EmbeddedPostgresDurabilityTest {

    @Test
    void commitsSurviveAKilledPostmaster() throws Exception {
        Path dataDir = GatewayHarness.tempDataDir("durability").resolve("postgres");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
            try (Connection c = connect(server); Statement st = c.createStatement()) {
                assertThat(setting(st, "synchronous_commit")).isEqualTo("on");
                assertThat(setting(st, "fsync")).isEqualTo("on");
                assertThat(setting(st, "full_page_writes")).isEqualTo("on");
                assertThat(setting(st, "max_connections")).isEqualTo("100");
                st.execute("CREATE TABLE committed (n int PRIMARY KEY)");
                // autocommit: each insert is its own transaction, acknowledged before the next
                for (int n = 1; n <= 200; n++) {
                    st.executeUpdate("INSERT INTO committed VALUES (" + n + ")");
                }
                long pid = server.postmasterPid();
                ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
                postmaster.onExit().get(10, TimeUnit.SECONDS);
            }
            assertThat(server.isAlive()).isFalse();

            restartOnceTheOldBackendsAreGone(server);

            try (Connection c = connect(server); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), max(n) FROM committed")) {
                rs.next();
                assertThat(rs.getInt(1)).as("committed rows after the crash").isEqualTo(200);
                assertThat(rs.getInt(2)).isEqualTo(200);
            }
        }
    }

    /**
     * The dead postmaster's backends exit on their own within moments; until they have, PostgreSQL
     * refuses to start on their shared memory, so the restart is tried until it succeeds.
     */
    private static void restartOnceTheOldBackendsAreGone(EmbeddedPostgresServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                server.restart();
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl());
    }

    private static String setting(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
