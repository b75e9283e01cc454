package com.wagateway.webhooks;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for a connection's webhook settings, its delivery health, its attempt log and manual
 * redelivery. The secret is read only by {@link #secret} (to sign); nothing here returns it
 * with the settings.
 */
@Repository
public class WebhookRepository {

    /** A connection's webhook settings; {@code events} null means every event type. */
    public record Settings(String connectionId, String url, List<String> events, boolean hasSecret) {
    }

    /** Counts of the connection's events by state and the endpoint's recent history. */
    public record Health(long pending, long retrying, long failed, long delivered, Instant lastSuccessAt,
                         Instant lastFailureAt, int consecutiveFailures, Instant pausedUntil) {
    }

    /** One attempt row with its event's current state. */
    public record LogRow(long id, UUID eventId, String connectionId, String eventType, String url, String requestPayload,
                         int attempt, Integer responseStatus, String responseBody, Integer latencyMs, String error,
                         String state, String eventState, Instant nextAttemptAt, boolean test, Instant createdAt) {
    }

    /** Where a queued event belongs, for ownership checks. */
    public record EventRef(UUID eventId, String connectionId, UUID ownerId, String state) {
    }

    private final JdbcClient jdbc;

    public WebhookRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Settings> settings(String connectionId) {
        return jdbc.sql("SELECT connection_id, webhook_url, webhook_events, webhook_secret IS NOT NULL AS has_secret "
                        + "FROM connections WHERE connection_id = ?")
                .param(connectionId)
                .query((rs, n) -> new Settings(rs.getString(1), rs.getString(2), strings(rs.getArray(3)), rs.getBoolean(4)))
                .optional();
    }

    /**
     * Sets URL and filter; a new secret when {@code newSecret} is not null (else the stored one
     * stays). Resets the endpoint's failures and pause: a changed target deserves a fresh start.
     */
    public void save(String connectionId, String url, List<String> events, String newSecret) {
        jdbc.sql("""
                UPDATE connections SET webhook_url = ?, webhook_events = ?::text[],
                  webhook_secret = coalesce(?, webhook_secret), updated_at = now()
                WHERE connection_id = ?""")
                .params(url, events == null ? null : events.toArray(String[]::new), newSecret, connectionId).update();
        jdbc.sql("""
                INSERT INTO webhook_endpoints (connection_id) VALUES (?)
                ON CONFLICT (connection_id) DO UPDATE SET failures = 0, paused_until = NULL, updated_at = now()""")
                .param(connectionId).update();
    }

    public void saveSecret(String connectionId, String secret) {
        jdbc.sql("UPDATE connections SET webhook_secret = ?, updated_at = now() WHERE connection_id = ?")
                .params(secret, connectionId).update();
    }

    /** The signing secret, for the test endpoint only (the dispatcher reads it with its claim). */
    public Optional<String> secret(String connectionId) {
        return jdbc.sql("SELECT webhook_secret FROM connections WHERE connection_id = ? AND webhook_secret IS NOT NULL")
                .param(connectionId).query(String.class).optional();
    }

    /**
     * Clears URL, filter and secret; queued events fail with "webhook removed" and are returned.
     * Lock order, the dispatcher's: the events first, in id order, then the endpoint row. A
     * recorded batch locks its deliveries and then updates their endpoints, so deleting the
     * endpoint before locking the events deadlocked with a delivery being recorded (seen in the
     * benchmark, where rounds remove webhooks while deliveries are recorded).
     */
    public List<WebhookDeliveryChanged> clear(String connectionId) {
        jdbc.sql("UPDATE connections SET webhook_url = NULL, webhook_events = NULL, webhook_secret = NULL, updated_at = now() "
                + "WHERE connection_id = ?").param(connectionId).update();
        List<WebhookDeliveryChanged> dropped = jdbc.sql("""
                UPDATE webhook_deliveries SET state = 'failed', last_error = 'webhook removed', updated_at = now()
                WHERE id IN (SELECT id FROM webhook_deliveries WHERE connection_id = ? AND state IN ('pending', 'retrying')
                             ORDER BY id FOR UPDATE)
                RETURNING event_id, event_type, attempts""").param(connectionId)
                .query((rs, n) -> new WebhookDeliveryChanged(connectionId, rs.getObject(1, UUID.class), rs.getString(2),
                        "failed", null, rs.getInt(3), null, "webhook removed"))
                .list();
        jdbc.sql("DELETE FROM webhook_endpoints WHERE connection_id = ?").param(connectionId).update();
        return dropped;
    }

    public Health health(String connectionId) {
        long[] counts = new long[4];
        jdbc.sql("SELECT state, count(*) FROM webhook_deliveries WHERE connection_id = ? GROUP BY state")
                .param(connectionId)
                .query((rs, n) -> {
                    int i = switch (rs.getString(1)) {
                        case "pending" -> 0;
                        case "retrying" -> 1;
                        case "failed" -> 2;
                        default -> 3;
                    };
                    counts[i] = rs.getLong(2);
                    return i;
                }).list();
        return jdbc.sql("SELECT last_success_at, last_failure_at, failures, paused_until FROM webhook_endpoints WHERE connection_id = ?")
                .param(connectionId)
                .query((rs, n) -> new Health(counts[0], counts[1], counts[2], counts[3], instant(rs, 1), instant(rs, 2),
                        rs.getInt(3), instant(rs, 4)))
                .optional()
                .orElse(new Health(counts[0], counts[1], counts[2], counts[3], null, null, 0, null));
    }

    /** Attempts of a connection, newest first, strictly before the cursor {@code before} (a log id). */
    public List<LogRow> logs(String connectionId, String state, Long before, int limit) {
        return jdbc.sql("""
                SELECT l.id, l.event_id, l.connection_id, l.event_type, l.url, coalesce(l.request_payload::text, d.body) AS payload, l.attempt,
                  l.response_status, l.response_body, l.latency_ms, l.error, l.state, d.state AS event_state,
                  l.next_attempt_at, l.test, l.created_at
                FROM webhook_logs l LEFT JOIN webhook_deliveries d ON d.event_id = l.event_id
                WHERE l.connection_id = ? AND (?::text IS NULL OR l.state = ?::text) AND (?::bigint IS NULL OR l.id < ?::bigint)
                ORDER BY l.id DESC LIMIT ?""")
                .params(connectionId, state, state, before, before, limit)
                .query((rs, n) -> new LogRow(rs.getLong("id"), rs.getObject("event_id", UUID.class),
                        rs.getString("connection_id"), rs.getString("event_type"), rs.getString("url"),
                        rs.getString("payload"), rs.getInt("attempt"), (Integer) rs.getObject("response_status"),
                        rs.getString("response_body"), (Integer) rs.getObject("latency_ms"), rs.getString("error"),
                        rs.getString("state"), rs.getString("event_state"), instant(rs, "next_attempt_at"),
                        rs.getBoolean("test"), instant(rs, "created_at")))
                .list();
    }

    public Optional<EventRef> event(UUID eventId) {
        return jdbc.sql("""
                SELECT d.event_id, d.connection_id, c.owner_id, d.state FROM webhook_deliveries d
                JOIN connections c ON c.connection_id = d.connection_id WHERE d.event_id = ?""")
                .param(eventId)
                .query((rs, n) -> new EventRef(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class),
                        rs.getString(4)))
                .optional();
    }

    /**
     * Queues the stored event again, due now, with a fresh retry window; it keeps its id (so
     * {@code X-Webhook-Id} is unchanged) and its attempt count goes on.
     */
    public void redeliver(UUID eventId) {
        jdbc.sql("""
                UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), retry_since = now(),
                  updated_at = now() WHERE event_id = ?""").param(eventId).update();
    }

    /** Stores a test event in its final state, so it is listed and can be redelivered like any other. */
    DeliveryRows.Delivery insertFinished(UUID eventId, String connectionId, String type, String body, String state) {
        long id = jdbc.sql("""
                INSERT INTO webhook_deliveries (event_id, connection_id, event_type, body, state, attempts)
                VALUES (?, ?, ?, ?, ?, 0) RETURNING id""")
                .params(eventId, connectionId, type, body, state).query(Long.class).single();
        return new DeliveryRows.Delivery(id, eventId, connectionId, type, body, 0, Instant.now());
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
