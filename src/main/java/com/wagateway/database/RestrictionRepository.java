package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.ts;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code connection_restrictions} (V16): the account restrictions WhatsApp signalled,
 * one row per kind, and their summary on {@code connections} ({@code restricted_*}).
 *
 * <p>Guarantees: {@link #set} and {@link #lift} report a change only when the stored state really
 * changed (the engine repeats the current state at every connect; a repeat changes nothing and
 * reports nothing); {@link #summarize} rewrites the connection's summary from the table in one
 * statement. Callers run them in one transaction with the webhook they cause.
 */
@Repository
public class RestrictionRepository {

    /** One stored restriction of one kind. */
    public record Row(String connectionId, String kind, Instant until, String detail, Instant since) {
    }

    private static final RowMapper<Row> MAPPER = (rs, n) -> new Row(rs.getString("connection_id"), rs.getString("kind"),
            instant(rs, "until"), rs.getString("detail"), instant(rs, "since"));

    private final JdbcClient jdbc;

    public RestrictionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A kind is in force until {@code until} (null: no end given): inserted, or updated when its
     * end or detail differ ({@code since} is kept). Empty when the same state was already stored.
     */
    public Optional<Row> set(String connectionId, String kind, Instant until, String detail) {
        return jdbc.sql("""
                INSERT INTO connection_restrictions AS r (connection_id, kind, until, detail) VALUES (?, ?, ?, ?)
                ON CONFLICT (connection_id, kind) DO UPDATE SET until = excluded.until, detail = excluded.detail
                WHERE (r.until, r.detail) IS DISTINCT FROM (excluded.until, excluded.detail)
                RETURNING connection_id, kind, until, detail, since""")
                .params(connectionId, kind, ts(until), detail).query(MAPPER).optional();
    }

    /** The kind is lifted: its row is removed and returned; empty when none was stored. */
    public Optional<Row> lift(String connectionId, String kind) {
        return jdbc.sql("DELETE FROM connection_restrictions WHERE connection_id = ? AND kind = ? "
                        + "RETURNING connection_id, kind, until, detail, since")
                .params(connectionId, kind).query(MAPPER).optional();
    }

    /**
     * Removes and returns every restriction whose {@code until} has passed (at most {@code limit}).
     * Each row is returned to exactly one caller, also with several nodes running this at once.
     */
    public java.util.List<Row> liftExpired(Instant now, int limit) {
        return jdbc.sql("""
                DELETE FROM connection_restrictions r USING (
                    SELECT connection_id, kind FROM connection_restrictions
                    WHERE until IS NOT NULL AND until <= ?::timestamptz
                    ORDER BY until LIMIT ? FOR UPDATE SKIP LOCKED) due
                WHERE r.connection_id = due.connection_id AND r.kind = due.kind
                RETURNING r.connection_id, r.kind, r.until, r.detail, r.since""")
                .params(ts(now), limit).query(MAPPER).list();
    }

    /**
     * Copies the restriction that ends last (one without an end first) to the connection's
     * {@code restricted_*} columns, or clears them; returns the connection as stored (empty when
     * it was deleted meanwhile). Touches neither the status nor its timestamps.
     */
    public Optional<ConnectionRow> summarize(String connectionId) {
        return jdbc.sql("""
                UPDATE connections SET (restricted_reason, restricted_until, restricted_since, restricted_detail) = (
                    SELECT r.kind, r.until, r.since, r.detail FROM (SELECT 1) AS one
                    LEFT JOIN LATERAL (SELECT * FROM connection_restrictions x WHERE x.connection_id = connections.connection_id
                        ORDER BY x.until DESC NULLS FIRST, x.kind LIMIT 1) r ON true),
                  updated_at = now()
                WHERE connections.connection_id = ? RETURNING\s""" + ConnectionRepository.COLUMNS)
                .param(connectionId).query(ConnectionRepository.MAPPER).optional();
    }

    /**
     * True when the connection has exchanged a message with this person before: one received
     * from them, or one of ours WhatsApp accepted (sent or later), history sync included, in the
     * chat of {@code jid} or of the LID / phone JID it is known to pair with. This is what a
     * restricted account may still reach (WhatsApp keeps existing chats open).
     */
    public boolean knownContact(String connectionId, String jid) {
        return Boolean.TRUE.equals(jdbc.sql("""
                SELECT EXISTS (SELECT 1 FROM messages m WHERE m.connection_id = ? AND m.chat_jid IN (
                        SELECT ?::text
                        UNION SELECT lid FROM lid_mappings WHERE connection_id = ? AND pn = ?
                        UNION SELECT pn FROM lid_mappings WHERE connection_id = ? AND lid = ?)
                    AND (m.direction = 'inbound' OR m.status IN ('sent', 'delivered', 'read', 'played')))""")
                .params(connectionId, jid, connectionId, jid, connectionId, jid).query(Boolean.class).single());
    }
}
