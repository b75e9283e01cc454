package com.wagateway.webhooks;

import com.wagateway.webhooks.DeliveryRows.Attempt;
import com.wagateway.webhooks.DeliveryRows.Claim;
import com.wagateway.webhooks.DeliveryRows.ClaimResult;
import com.wagateway.webhooks.DeliveryRows.Delivery;
import com.wagateway.webhooks.DeliveryRows.EndpointUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
    private final TransactionTemplate tx;

    private static final Set<String> ACTIVE = Set.of("pending", "retrying");

    /**
     * The whole claim in one statement, run outside any transaction (one round trip, no commit of
     * its own; it used to be four statements and a commit). {@code claimable}: connections with a
     * due event that nobody holds, per endpoint its first entry in webhook_deliveries_due_conn_idx,
     * in that index's order, so the probe stops at the first due event of that connection (a
     * LATERAL ... LIMIT 1 and not EXISTS: PostgreSQL turned the EXISTS into a semi-join over every
     * active event of every connection, materialized once per claim; V24 and docs/benchmarks.md).
     * {@code leased}: their leases (the endpoints' primary keys given twice, as in the record's
     * statements). Then, per leased connection, its target and oldest due events (at most
     * {@code perClaim}; a LEFT JOIN, so a connection whose events went meanwhile is still
     * returned and released), read in order from webhook_deliveries_active_conn_idx. The
     * connection is matched with {@code = ANY (ARRAY[...])}: with {@code =} the planner knows it
     * for a constant, orders by id alone, and a generic plan with fresh statistics walked the
     * primary key from the table's first event, filtering out every other connection's and every
     * delivered one (the statement before this one did the same); with a range instead, a custom
     * plan read all of the connection's due events and sorted them. Parameters: resting
     * connections, how many, instance, lease in ms, events per claim.
     */
    static final String CLAIM = """
            WITH claimable AS MATERIALIZED (
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
                LIMIT ? FOR UPDATE OF e SKIP LOCKED),
            leased AS (
                UPDATE webhook_endpoints e SET leased_by = ?, leased_until = now() + ? * interval '1 millisecond',
                  last_claimed_at = now(), updated_at = now()
                FROM claimable c
                WHERE e.connection_id = ANY (ARRAY(SELECT connection_id FROM claimable)) AND e.connection_id = c.connection_id
                RETURNING e.connection_id, c.failures)
            SELECT l.connection_id, l.failures, x.webhook_url, x.webhook_secret,
                   d.id, d.event_id, d.event_type, d.body, d.attempts, d.retry_since
            FROM leased l
            LEFT JOIN connections x ON x.connection_id = l.connection_id
            LEFT JOIN LATERAL (
                SELECT d.id, d.event_id, d.event_type, d.body, d.attempts, d.retry_since FROM webhook_deliveries d
                WHERE d.connection_id = ANY (ARRAY[l.connection_id]) AND d.state IN ('pending', 'retrying')
                  AND d.next_attempt_at <= now()
                ORDER BY d.connection_id, d.id LIMIT ?) d ON true
            ORDER BY l.connection_id, d.id""";

    /**
     * The expiry sweep's statement (webhook_deliveries_due_idx, whose predicate only it implies:
     * V24). Its rows are locked first, in id order ({@code ORDER BY} under {@code FOR UPDATE}
     * locks in the sorted order), the order of every other multi-row writer of the table: a plain
     * {@code UPDATE} locked them in the index's {@code retry_since} order and could deadlock with
     * a webhook's removal locking the same connection's events by id.
     */
    static final String EXPIRE = """
            WITH due AS MATERIALIZED (
              SELECT d.id FROM webhook_deliveries d
              WHERE d.state IN ('pending', 'retrying') AND d.retry_since < now() - ? * interval '1 millisecond'
                AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e
                                WHERE e.connection_id = d.connection_id AND e.leased_until > now())
              ORDER BY d.id
              FOR UPDATE OF d)
            UPDATE webhook_deliveries d SET state = 'failed', last_error = 'expired', updated_at = now()
            FROM due WHERE d.id = due.id
            RETURNING d.id, d.event_id, d.connection_id, d.event_type, d.body, d.attempts, d.retry_since,
              (SELECT webhook_url FROM connections c WHERE c.connection_id = d.connection_id) AS url""";

    /** Locks deliveries in id order, the order of every multi-row writer (no deadlocks), with their state now. */
    static final String LOCK_DELIVERIES =
            "SELECT id, state, last_error FROM webhook_deliveries WHERE id = ANY (?::bigint[]) ORDER BY id FOR UPDATE";

    /**
     * Every recorded delivery's new state in one statement. The ids come twice: {@code d.id = ANY}
     * gives the planner the primary key to start from, whatever it guesses of the unnest (without
     * it the plan read 886 buffers a call in the inbound benchmark, about the whole table).
     */
    static final String UPDATE_DELIVERIES = """
            UPDATE webhook_deliveries d SET state = u.state, attempts = greatest(d.attempts, u.attempt),
              next_attempt_at = coalesce(u.next_at::timestamptz, d.next_attempt_at), last_status = u.status,
              last_error = u.error, last_attempt_at = now(),
              delivered_at = CASE WHEN u.state = 'delivered' THEN now() ELSE d.delivered_at END, updated_at = now()
            FROM unnest(?::bigint[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[])
              AS u(id, state, attempt, next_at, status, error)
            WHERE d.id = ANY (?::bigint[]) AND d.id = u.id""";

    /** One log row per attempt, ids in the order given; attempts of a deleted connection are skipped. */
    static final String LOG_ATTEMPTS = """
            INSERT INTO webhook_logs (event_id, connection_id, event_type, url, attempt, response_status,
              response_body, latency_ms, error, state, next_attempt_at, test)
            SELECT a.event_id, a.connection_id, a.event_type, a.url, a.attempt, a.status, a.body, a.latency_ms,
              a.error, a.state, a.next_at::timestamptz, a.test
            FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::text[], ?::int[],
                        ?::text[], ?::text[], ?::text[], ?::boolean[]) WITH ORDINALITY
              AS a(event_id, connection_id, event_type, url, attempt, status, body, latency_ms, error, state,
                   next_at, test, n)
            WHERE EXISTS (SELECT 1 FROM connections c WHERE c.connection_id = a.connection_id)
            ORDER BY a.n""";

    /** The endpoints' failures and pause after their claims, releasing the leases (ids twice, as above). */
    static final String RELEASE_ENDPOINTS = """
            UPDATE webhook_endpoints e SET failures = u.failures, paused_until = u.paused_until::timestamptz,
              last_success_at = CASE WHEN u.succeeded THEN now() ELSE e.last_success_at END,
              last_failure_at = CASE WHEN u.failed THEN now() ELSE e.last_failure_at END,
              leased_by = NULL, leased_until = NULL, updated_at = now()
            FROM unnest(?::text[], ?::int[], ?::text[], ?::boolean[], ?::boolean[])
              AS u(connection_id, failures, paused_until, succeeded, failed)
            WHERE e.connection_id = ANY (?::text[]) AND e.connection_id = u.connection_id""";

    /**
     * A recorded batch's writes in one statement (one round trip instead of three): the deliveries'
     * new state and the endpoints' release as data-modifying CTEs, then the log rows. They touch
     * different tables, so running them in one statement changes nothing but the round trips.
     * Parameters: those of the three statements, in this order.
     */
    static final String WRITE_OUTCOMES = "WITH deliveries AS (" + UPDATE_DELIVERIES + "),\n endpoints AS ("
            + RELEASE_ENDPOINTS + ")\n" + LOG_ATTEMPTS;

    WebhookQueue(JdbcClient jdbc, PlatformTransactionManager txManager) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
    }

    /**
     * Claims up to {@code maxConnections} connections with due events, except the {@code resting}
     * ones ({@link ClaimPacer}), and returns, for each, its oldest due events (at most
     * {@code perClaim}, or 1 for a connection whose breaker is open), in one statement
     * ({@link #CLAIM}): the leases are taken and committed with the events read, or not at all.
     */
    List<Claim> claim(String instance, int maxConnections, int perClaim, int breakerThreshold, Duration lease,
                      String[] resting) {
        Map<String, Claim> claims = new LinkedHashMap<>();
        jdbc.sql(CLAIM)
                .params(resting, maxConnections, instance, lease.toMillis(), perClaim)
                .query(rs -> {
                    String id = rs.getString(1);
                    Claim c = claims.get(id);
                    if (c == null) {
                        c = new Claim(id, rs.getString(3), rs.getString(4), rs.getInt(2), new ArrayList<>());
                        claims.put(id, c);
                    }
                    long delivery = rs.getLong(5);
                    if (!rs.wasNull() && (c.failures() < breakerThreshold || c.deliveries().isEmpty())) {
                        // an open breaker sends one probe at a time
                        c.deliveries().add(new Delivery(delivery, rs.getObject(6, UUID.class), id, rs.getString(7),
                                rs.getString(8), rs.getInt(9), rs.getTimestamp(10).toInstant()));
                    }
                });
        return List.copyOf(claims.values());
    }

    /**
     * Writes finished claims back in one transaction: each attempt's log row and the delivery's
     * new state, then each endpoint's failures/pause, releasing the lease. Returns the attempts as
     * they were applied (see {@link #insertAttempts}), which is what must be announced. Two
     * statements whatever the batch's size: the deliveries' lock, then {@link #WRITE_OUTCOMES}.
     */
    List<Attempt> record(List<ClaimResult> results) {
        List<Attempt> attempts = new ArrayList<>();
        results.forEach(r -> attempts.addAll(r.attempts()));
        List<EndpointUpdate> endpoints = results.stream().map(ClaimResult::endpoint)
                .sorted(Comparator.comparing(EndpointUpdate::connectionId)).toList();
        return tx.execute(s -> insertAttempts(attempts, endpoints));
    }

    /**
     * Applies attempts to their delivery rows and logs them (joins the current transaction), in
     * two statements whatever their number: lock the rows, then update them and log the attempts
     * ({@link #WRITE_OUTCOMES}).
     * <p>
     * The rows are locked in id order, like every other multi-row writer (no deadlocks), and their
     * state is read under that lock. A delivery that was finished meanwhile by someone else (its
     * webhook removed, or expired, while this attempt was in flight) is never revived: only a
     * successful delivery overrides that. Such an attempt is logged and returned with the
     * delivery's final state and reason, so nobody is told "retrying" about an event that will
     * never be sent again. A delivery that is gone (its connection deleted) is returned as it was.
     */
    List<Attempt> insertAttempts(List<Attempt> attempts) {
        return attempts.isEmpty() ? attempts : insertAttempts(attempts, List.of());
    }

    /** {@link #insertAttempts(List)}, releasing {@code endpoints} (in that order) in the same statement. */
    private List<Attempt> insertAttempts(List<Attempt> attempts, List<EndpointUpdate> endpoints) {
        List<Attempt> sorted = attempts.stream().sorted(Comparator.comparingLong(a -> a.delivery().id())).toList();
        Map<Long, String[]> current = new HashMap<>();
        if (!sorted.isEmpty()) {
            lock(sorted, current);
        }
        List<Attempt> applied = new ArrayList<>(sorted.size());
        Map<Long, Attempt> updates = new LinkedHashMap<>();
        for (Attempt a : sorted) {
            String[] now = current.get(a.delivery().id());
            if (now != null && (ACTIVE.contains(now[0]) || "delivered".equals(a.state()))) {
                applied.add(a);
                updates.put(a.delivery().id(), a); // a later attempt of the same delivery wins
                now[0] = a.state();
                now[1] = a.error();
            } else if (now == null || now[0].equals(a.state())) {
                applied.add(a);
            } else {
                applied.add(new Attempt(a.delivery(), a.url(), a.attempt(), a.status(), a.responseBody(), a.latencyMs(),
                        now[1], now[0], null, a.test()));
            }
        }
        write(List.copyOf(updates.values()), endpoints, applied);
        return applied;
    }

    /** Locks the attempts' delivery rows in id order and reads their state now into {@code current}. */
    private void lock(List<Attempt> sorted, Map<Long, String[]> current) {
        jdbc.sql(LOCK_DELIVERIES)
                .param(sorted.stream().map(a -> a.delivery().id()).distinct().toArray(Long[]::new))
                .query(rs -> {
                    current.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                });
    }

    /**
     * {@link #WRITE_OUTCOMES}: the delivery rows' new state (their locks are held already), the
     * endpoints' release and one log row per attempt, in one statement; any of them may be empty.
     */
    private void write(List<Attempt> rows, List<EndpointUpdate> endpoints, List<Attempt> logs) {
        if (rows.isEmpty() && endpoints.isEmpty() && logs.isEmpty()) {
            return;
        }
        List<Object> params = new ArrayList<>(deliveryParams(rows));
        params.addAll(endpointParams(endpoints));
        params.addAll(logParams(logs));
        jdbc.sql(WRITE_OUTCOMES).params(params).update();
    }

    /** The parameters of {@link #RELEASE_ENDPOINTS} for these endpoints. */
    private static List<Object> endpointParams(List<EndpointUpdate> endpoints) {
        String[] ids = endpoints.stream().map(EndpointUpdate::connectionId).toArray(String[]::new);
        return List.of(ids, endpoints.stream().map(EndpointUpdate::failures).toArray(Integer[]::new),
                endpoints.stream().map(e -> text(e.pausedUntil())).toArray(String[]::new),
                endpoints.stream().map(EndpointUpdate::succeeded).toArray(Boolean[]::new),
                endpoints.stream().map(EndpointUpdate::failed).toArray(Boolean[]::new), ids);
    }

    /** The parameters of {@link #UPDATE_DELIVERIES} for these rows. */
    private static List<Object> deliveryParams(List<Attempt> rows) {
        Long[] ids = rows.stream().map(a -> a.delivery().id()).toArray(Long[]::new);
        return List.of(ids, rows.stream().map(Attempt::state).toArray(String[]::new),
                rows.stream().map(Attempt::attempt).toArray(Integer[]::new),
                rows.stream().map(a -> text(a.nextAttemptAt())).toArray(String[]::new),
                rows.stream().map(Attempt::status).toArray(Integer[]::new),
                rows.stream().map(Attempt::error).toArray(String[]::new), ids);
    }

    /**
     * One {@code webhook_logs} row per attempt, in the given order, in one statement (joins the
     * current transaction). The request's body is not copied: it is the delivery's, which never
     * changes, and the log listing reads it from there (V26).
     */
    void logAttempts(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return;
        }
        jdbc.sql(LOG_ATTEMPTS).params(logParams(attempts)).update();
    }

    /**
     * The parameters of {@link #LOG_ATTEMPTS} for these attempts. A connection deleted while its
     * events were in flight takes its logs with it: its rows are skipped, the batch does not fail.
     */
    private static List<Object> logParams(List<Attempt> attempts) {
        return List.of(attempts.stream().map(a -> a.delivery().eventId()).toArray(UUID[]::new),
                attempts.stream().map(a -> a.delivery().connectionId()).toArray(String[]::new),
                attempts.stream().map(a -> a.delivery().eventType()).toArray(String[]::new),
                attempts.stream().map(a -> a.url() == null ? "" : a.url()).toArray(String[]::new),
                attempts.stream().map(Attempt::attempt).toArray(Integer[]::new),
                attempts.stream().map(Attempt::status).toArray(Integer[]::new),
                attempts.stream().map(Attempt::responseBody).toArray(String[]::new),
                attempts.stream().map(a -> a.latencyMs() == null ? null
                        : (int) Math.min(Integer.MAX_VALUE, a.latencyMs())).toArray(Integer[]::new),
                attempts.stream().map(Attempt::error).toArray(String[]::new),
                attempts.stream().map(Attempt::state).toArray(String[]::new),
                attempts.stream().map(a -> text(a.nextAttemptAt())).toArray(String[]::new),
                attempts.stream().map(Attempt::test).toArray(Boolean[]::new));
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

    /** An instant as PostgreSQL reads it from text (arrays of timestamps go as text). */
    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
