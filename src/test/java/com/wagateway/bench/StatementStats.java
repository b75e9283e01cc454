package com.wagateway.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./bench/run --pg-stats=true}: the gateway runs on an embedded PostgreSQL of the
 * benchmark's own with {@code pg_stat_statements} loaded (the gateway's own embedded server does
 * not preload it), so a scenario can report which statements it ran, how often and for how long —
 * the profile evidence in docs/benchmarks.md. Same durability settings as the gateway's
 * server (fsync and synchronous commit on), so the figures are comparable.
 */
final class StatementStats implements Closeable {

    private final EmbeddedPostgres postgres;

    private StatementStats(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static StatementStats start(Path dataDir) throws IOException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on").setServerConfig("max_connections", "100")
                .setServerConfig("timezone", "UTC").setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all").start();
        StatementStats s = new StatementStats(pg);
        s.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        return s;
    }

    /** {@code DATABASE_URL} of the server (the gateway's {@code gateway.database-url}). */
    String url() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Forgets what was counted so far (call right before the measured part of a scenario). */
    void reset() {
        exec("SELECT pg_stat_statements_reset()");
        exec("SELECT pg_stat_reset_shared('wal')");
    }

    /**
     * The {@code limit} statements with the most total execution time since {@link #reset}: calls,
     * total and mean milliseconds, rows, shared buffers touched, and the statement's first 160 characters.
     */
    List<Map<String, Object>> top(int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
                            rows, shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
                     FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
                     ORDER BY total_exec_time DESC LIMIT\s""" + limit)) {
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("calls", rs.getLong("calls"));
                m.put("total_ms", rs.getDouble("total_ms"));
                m.put("mean_ms", rs.getDouble("mean_ms"));
                m.put("rows", rs.getLong("rows"));
                m.put("blocks", rs.getLong("blocks")); // shared buffers touched: index and heap pages visited
                m.put("query", rs.getString("query"));
                out.add(m);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * WAL flushes to disk since {@link #reset} ({@code pg_stat_wal.wal_sync}): what a durable commit
     * costs, and what group commit saves (read-only statements flush nothing).
     */
    long walSyncs() {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT wal_sync FROM pg_stat_wal")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void exec(String sql) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
