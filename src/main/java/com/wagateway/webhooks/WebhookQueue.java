package com.wagateway.webhooks;

import com.wagateway.webhooks.DeliveryRows.Attempt;
import com.wagateway.webhooks.DeliveryRows.Claim;
import com.wagateway.webhooks.DeliveryRows.ClaimResult;
import com.wagateway.webhooks.DeliveryRows.Delivery;
import com.wagateway.webhooks.DeliveryRows.EndpointUpdate;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * SQL of the delivery queue: claiming, recording attempts, expiring, releasing.
 *
 * <p>Claims are per connection: a connection's endpoint row is taken with
 * {@code FOR UPDATE SKIP LOCKED} and leased ({@code leased_by}, {@code leased_until}), so one
 * instance at a time sends a connection's events (in order) and several instances never send the
 * same attempt twice; a lease of a crashed instance simply expires and the events are claimed
 * again (at-least-once). Paused connections (backoff, circuit breaker) are skipped, so they never
 * hold up others; least recently served connections go first.
 */
@Repository
class WebhookQueue {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;

    /**
     * Connections with a due event that nobody holds: per endpoint, its first entry in
     * webhook_deliveries_due_conn_idx, in that index's order, so the probe stops at the first due
     * event of that connection. A LATERAL ... LIMIT 1 and not EXISTS: PostgreSQL turned the EXISTS
     * into a semi-join over every active event of every connection, materialized once per claim
     * (279 buffers a claim in the inbound benchmark; V24 and docs/benchmarks.md).
     */
    static final String CLAIMABLE = """
            SELECT e.connection_id, e.failures FROM webhook_endpoints e
            CROSS JOIN LATERAL (
                SELECT 1 FROM webhook_deliveries d
                WHERE d.connection_id = e.connection_id AND d.state IN ('pending', 'retrying')
                  AND d.next_attempt_at <= now()
                ORDER BY d.connection_id, d.next_attempt_at LIMIT 1) due
            WHERE (e.paused_until IS NULL OR e.paused_until <= now())
              AND (e.leased_until IS NULL OR e.leased_until < now())
              AND e.connection_id <> ALL (?::text[])
            ORDER BY e.last_claimed_at NULLS FIRST, e.connection_id
            LIMIT ? FOR UPDATE OF e SKIP LOCKED""";

    /** The expiry sweep's statement (webhook_deliveries_due_idx, whose predicate only it implies: V24). */
    static final String EXPIRE = """
            UPDATE webhook_deliveries d SET state = 'failed', last_error = 'expired', updated_at = now()
            WHERE d.state IN ('pending', 'retrying') AND d.retry_since < now() - ? * interval '1 millisecond'
              AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e
                              WHERE e.connection_id = d.connection_id AND e.leased_until > now())
            RETURNING d.id, d.event_id, d.connection_id, d.event_type, d.body, d.attempts, d.retry_since,
              (SELECT webhook_url FROM connections c WHERE c.connection_id = d.connection_id) AS url""";

    WebhookQueue(JdbcClient jdbc, JdbcTemplate template, PlatformTransactionManager txManager) {
        this.jdbc = jdbc;
        this.template = template;
        this.tx = new TransactionTemplate(txManager);
    }

    /**
     * Claims up to {@code maxConnections} connections with due events, except the {@code resting}
     * ones ({@link ClaimPacer}), and returns, for each, its oldest due events (at most
     * {@code perClaim}, or 1 for a connection whose breaker is open).
     */
    List<Claim> claim(String instance, int maxConnections, int perClaim, int breakerThreshold, Duration lease,
                      String[] resting) {
        return tx.execute(s -> {
            List<Object[]> endpoints = jdbc.sql(CLAIMABLE)
                    .params(resting, maxConnections)
                    .query((rs, n) -> new Object[] {rs.getString(1), rs.getInt(2)}).list();
            if (endpoints.isEmpty()) {
                return List.of();
            }
            String[] ids = endpoints.stream().map(e -> (String) e[0]).toArray(String[]::new);
            jdbc.sql("""
                    UPDATE webhook_endpoints SET leased_by = ?, leased_until = now() + ? * interval '1 millisecond',
                      last_claimed_at = now(), updated_at = now()
                    WHERE connection_id = ANY (?::text[])""")
                    .params(instance, lease.toMillis(), ids).update();
            Map<String, List<Delivery>> due = new LinkedHashMap<>();
            jdbc.sql("""
                    SELECT d.id, d.event_id, d.connection_id, d.event_type, d.body, d.attempts, d.retry_since
                    FROM unnest(?::text[]) AS k(connection_id)
                    CROSS JOIN LATERAL (
                      SELECT * FROM webhook_deliveries d
                      WHERE d.connection_id = k.connection_id AND d.state IN ('pending', 'retrying')
                        AND d.next_attempt_at <= now()
                      ORDER BY d.id LIMIT ?) d
                    ORDER BY d.connection_id, d.id""")
                    .params(ids, perClaim)
                    .query((rs, n) -> new Delivery(rs.getLong("id"), rs.getObject("event_id", UUID.class),
                            rs.getString("connection_id"), rs.getString("event_type"), rs.getString("body"),
                            rs.getInt("attempts"), rs.getTimestamp("retry_since").toInstant()))
                    .list()
                    .forEach(d -> due.computeIfAbsent(d.connectionId(), k -> new ArrayList<>()).add(d));
            Map<String, String[]> targets = new LinkedHashMap<>();
            jdbc.sql("SELECT connection_id, webhook_url, webhook_secret FROM connections WHERE connection_id = ANY (?::text[])")
                    .param(ids)
                    .query((rs, n) -> targets.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)}))
                    .list();
            List<Claim> claims = new ArrayList<>();
            for (Object[] e : endpoints) {
                String id = (String) e[0];
                int failures = (Integer) e[1];
                List<Delivery> list = due.getOrDefault(id, List.of());
                if (failures >= breakerThreshold && list.size() > 1) {
                    list = List.of(list.get(0)); // open breaker: one probe at a time
                }
                String[] t = targets.getOrDefault(id, new String[2]);
                claims.add(new Claim(id, t[0], t[1], failures, list));
            }
            return claims;
        });
    }

    /**
     * Writes finished claims back in one transaction: each attempt's log row and the delivery's
     * new state, then each endpoint's failures/pause, releasing the lease. Returns the attempts as
     * they were applied (see {@link #insertAttempts}), which is what must be announced.
     */
    List<Attempt> record(List<ClaimResult> results) {
        List<Attempt> attempts = new ArrayList<>();
        results.forEach(r -> attempts.addAll(r.attempts()));
        return tx.execute(s -> {
            List<Attempt> applied = insertAttempts(attempts);
            template.batchUpdate("""
                    UPDATE webhook_endpoints SET failures = ?, paused_until = ?,
                      last_success_at = CASE WHEN ? THEN now() ELSE last_success_at END,
                      last_failure_at = CASE WHEN ? THEN now() ELSE last_failure_at END,
                      leased_by = NULL, leased_until = NULL, updated_at = now()
                    WHERE connection_id = ?""", results.stream().map(r -> {
                EndpointUpdate e = r.endpoint();
                return new Object[] {e.failures(), ts(e.pausedUntil()), e.succeeded(), e.failed(), e.connectionId()};
            }).toList());
            return applied;
        });
    }

    /**
     * Applies attempts to their delivery rows and logs them (joins the current transaction).
     * <p>
     * A delivery that was finished meanwhile by someone else (its webhook removed, or expired,
     * while this attempt was in flight) is never revived: only a successful delivery overrides
     * that. Such an attempt is logged and returned with the delivery's final state and reason, so
     * nobody is told "retrying" about an event that will never be sent again.
     */
    List<Attempt> insertAttempts(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return attempts;
        }
        // rows are locked in id order, like every other multi-row writer: no deadlocks
        List<Attempt> sorted = attempts.stream().sorted(java.util.Comparator.comparingLong(a -> a.delivery().id())).toList();
        int[][] counts = template.batchUpdate("""
                UPDATE webhook_deliveries SET state = ?, attempts = greatest(attempts, ?), next_attempt_at = coalesce(?, next_attempt_at),
                  last_status = ?, last_error = ?, last_attempt_at = now(),
                  delivered_at = CASE WHEN ? = 'delivered' THEN now() ELSE delivered_at END, updated_at = now()
                WHERE id = ? AND (state IN ('pending', 'retrying') OR ? = 'delivered')""", sorted,
                sorted.size(), (ps, a) -> {
                    ps.setString(1, a.state());
                    ps.setInt(2, a.attempt());
                    ps.setTimestamp(3, ts(a.nextAttemptAt()));
                    ps.setObject(4, a.status());
                    ps.setString(5, a.error());
                    ps.setString(6, a.state());
                    ps.setLong(7, a.delivery().id());
                    ps.setString(8, a.state());
                });
        List<Attempt> applied = new ArrayList<>(sorted);
        List<Integer> superseded = new ArrayList<>();
        for (int i = 0, k = 0; i < counts.length; i++) {
            for (int c : counts[i]) {
                if (c == 0) {
                    superseded.add(k);
                }
                k++;
            }
        }
        if (!superseded.isEmpty()) {
            Map<Long, String[]> finals = new java.util.HashMap<>();
            jdbc.sql("SELECT id, state, last_error FROM webhook_deliveries WHERE id = ANY(?)")
                    .param(superseded.stream().map(k -> sorted.get(k).delivery().id()).toArray(Long[]::new))
                    .query(rs -> {
                        finals.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                    });
            for (int k : superseded) {
                Attempt a = sorted.get(k);
                String[] f = finals.get(a.delivery().id());
                if (f != null && !f[0].equals(a.state())) {
                    applied.set(k, new Attempt(a.delivery(), a.url(), a.attempt(), a.status(), a.responseBody(),
                            a.latencyMs(), f[1], f[0], null, a.test()));
                }
            }
        }
        logAttempts(applied);
        return applied;
    }

    /** One {@code webhook_logs} row per attempt (joins the current transaction). */
    void logAttempts(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return;
        }
        // a connection deleted while its events were in flight takes its logs with it: skip, don't fail the batch
        template.batchUpdate("""
                INSERT INTO webhook_logs (event_id, connection_id, event_type, url, request_payload, attempt,
                  response_status, response_body, latency_ms, error, state, next_attempt_at, test)
                SELECT ?::uuid, c.connection_id, ?::text, ?::text, ?::jsonb, ?::int, ?::int, ?::text, ?::int, ?::text,
                  ?::text, ?::timestamptz, ?::boolean
                FROM connections c WHERE c.connection_id = ?""", attempts.stream().map(a -> new Object[] {
                a.delivery().eventId(), a.delivery().eventType(),
                a.url() == null ? "" : a.url(), a.delivery().body(), a.attempt(), a.status(), a.responseBody(),
                a.latencyMs() == null ? null : (int) Math.min(Integer.MAX_VALUE, a.latencyMs()), a.error(), a.state(),
                ts(a.nextAttemptAt()), a.test(), a.delivery().connectionId()}).toList());
    }

    /**
     * Fails active events older than the retry age that no instance is working on, logging one
     * row each (attempt = attempts made so far). Returns them for events and metrics.
     */
    List<Attempt> expire(Duration maxRetryAge) {
        return tx.execute(s -> {
            List<Attempt> expired = jdbc.sql(EXPIRE)
                    .param(maxRetryAge.toMillis())
                    .query((rs, n) -> new Attempt(new Delivery(rs.getLong("id"), rs.getObject("event_id", UUID.class),
                            rs.getString("connection_id"), rs.getString("event_type"), rs.getString("body"),
                            rs.getInt("attempts"), rs.getTimestamp("retry_since").toInstant()),
                            rs.getString("url"), rs.getInt("attempts"), null, null, null,
                            "gave up: not delivered within WEBHOOK_MAX_RETRY_AGE", "failed", null, false))
                    .list();
            logAttempts(expired);
            return expired;
        });
    }

    /**
     * Makes sure every connection with a webhook has its endpoint row (claims start from those
     * rows), whatever path set the URL. Idempotent; cheap enough for the periodic sweep.
     */
    void ensureEndpoints() {
        jdbc.sql("""
                INSERT INTO webhook_endpoints (connection_id)
                SELECT connection_id FROM connections WHERE webhook_url IS NOT NULL
                ON CONFLICT (connection_id) DO NOTHING""").update();
    }

    /**
     * Fails active events of connections whose webhook is gone (a claim in flight while the
     * webhook was removed may have set one back to retrying). Returns how many.
     */
    int dropOrphans() {
        return jdbc.sql("""
                UPDATE webhook_deliveries d SET state = 'failed', last_error = 'webhook removed', updated_at = now()
                WHERE d.state IN ('pending', 'retrying')
                  AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.connection_id = d.connection_id)
                  AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.connection_id = d.connection_id AND c.webhook_url IS NOT NULL)""")
                .update();
    }

    /** Gives this instance's leases back (clean shutdown), so another instance continues at once. */
    void releaseLeases(String instance) {
        jdbc.sql("UPDATE webhook_endpoints SET leased_by = NULL, leased_until = NULL WHERE leased_by = ?")
                .param(instance).update();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
