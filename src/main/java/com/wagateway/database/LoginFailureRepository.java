package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.ts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code login_failures}: failed (and in-flight) password checks per key ({@code a:<email>},
 * {@code ip:<address>}), shared by every gateway node so the login rate limit holds across the
 * cluster (issue 17). Callers run {@link #lock} first, in the same transaction, so check and count
 * are one step for a key on every node.
 */
@Repository
public class LoginFailureRepository {

    /** A key's failures within the window: how many, and the oldest. */
    public record Window(long count, Instant oldest) {
    }

    private final JdbcClient jdbc;

    public LoginFailureRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Transaction-scoped advisory locks on these keys, taken in sorted order (no deadlock between nodes). */
    public void lock(List<String> keys) {
        for (String k : keys.stream().sorted().toList()) {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 17))").param(k).query(Object.class).optional();
        }
    }

    /** Drops the key's failures older than the window, then counts the rest. */
    public Window window(String key, Duration window) {
        jdbc.sql("DELETE FROM login_failures WHERE key = ? AND failed_at < now() - ?::interval")
                .params(key, LeaseRepository.interval(window)).update();
        return jdbc.sql("SELECT count(*) AS n, min(failed_at) AS oldest FROM login_failures WHERE key = ?").param(key)
                .query((rs, n) -> new Window(rs.getLong("n"), instant(rs, "oldest"))).single();
    }

    /** Counts one failure for each key at the database's now(); returns that time. */
    public Instant add(List<String> keys) {
        Instant now = jdbc.sql("SELECT now()").query((rs, n) -> instant(rs, "now")).single();
        for (String k : keys) {
            jdbc.sql("INSERT INTO login_failures (key, failed_at) VALUES (?, ?)").params(k, ts(now)).update();
        }
        return now;
    }

    /** The database's clock (waits are computed against it). */
    public Instant now() {
        return jdbc.sql("SELECT now()").query((rs, n) -> instant(rs, "now")).single();
    }

    /** Forgets every failure of this key. */
    public void clear(String key) {
        jdbc.sql("DELETE FROM login_failures WHERE key = ?").param(key).update();
    }

    /** Gives back one slot of this key, the one counted at {@code at}. */
    public void removeOne(String key, Instant at) {
        jdbc.sql("""
                DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures WHERE key = ? AND failed_at = ? LIMIT 1)""")
                .params(key, ts(at)).update();
    }
}
