package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.ts;

import com.wagateway.domain.ConnectionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code connections}. Every state change is one UPDATE ... RETURNING statement, so a
 * change and the row it produced are read atomically. State changes only persist what
 * {@code ConnectionStateMachine} decided ({@code ConnectionTransitions} is their one caller): each
 * takes the status the decision was made from and updates only while the row still shows it
 * (compare-and-set), so a decision never lands on a state it was not made for.
 */
@Repository
public class ConnectionRepository {

    static final String COLUMNS = """
            connection_id, owner_id, status, reason, phone, push_name, jid, qr, qr_image, qr_expires_at,
            webhook_url, session_dir, desired_state, has_session, reconnect_attempt, next_retry_at,
            connected_at, status_changed_at, created_at, updated_at,
            restricted_reason, restricted_until, restricted_since, restricted_detail,
            (SELECT l.owner_node FROM connection_leases l WHERE l.connection_id = connections.connection_id
               AND l.owner_node IS NOT NULL AND l.expires_at > now()) AS node_id""";

    /** Appended to a fenced write: the lease still shows this node and epoch, and has not expired. */
    private static final String FENCE = " AND EXISTS (SELECT 1 FROM connection_leases l"
            + " WHERE l.connection_id = connections.connection_id AND l.owner_node = ? AND l.epoch = ? AND l.expires_at > now())";

    private final JdbcClient jdbc;
    private final LeaseFence fence;

    @org.springframework.beans.factory.annotation.Autowired
    public ConnectionRepository(JdbcClient jdbc) {
        this(jdbc, null);
    }

    private ConnectionRepository(JdbcClient jdbc, LeaseFence fence) {
        this.jdbc = jdbc;
        this.fence = fence;
    }

    /**
     * The same state writes, each landing only while {@code fence} still holds (same statement):
     * what a socket of this node reports is stored only while this node owns the connection.
     * {@code null} gives the unfenced repository (a person's choice is stored from any node).
     */
    public ConnectionRepository fenced(LeaseFence fence) {
        return fence == null ? this : new ConnectionRepository(jdbc, fence);
    }

    public Optional<ConnectionRow> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connections WHERE connection_id = ?")
                .param(id).query(MAPPER).optional();
    }

    public List<ConnectionRow> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connections ORDER BY created_at, connection_id").query(MAPPER).list();
    }

    public List<ConnectionRow> findByOwner(UUID owner) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connections WHERE owner_id = ? ORDER BY created_at, connection_id")
                .param(owner).query(MAPPER).list();
    }

    /** Inserts a new, stopped connection unless one with that id exists; true if inserted. */
    public boolean insertIfAbsent(String id, UUID owner, String sessionDir) {
        return jdbc.sql("""
                INSERT INTO connections (connection_id, owner_id, session_dir) VALUES (?, ?, ?)
                ON CONFLICT (connection_id) DO NOTHING""")
                .params(id, owner, sessionDir).update() == 1;
    }

    /** The user asked to connect: wanted running, shown initializing, QR and error cleared. */
    public Optional<ConnectionRow> markStarting(String id, ConnectionStatus from, String reason) {
        return update(id, from, """
                status = 'initializing', reason = ?, desired_state = 'running', qr = NULL, qr_image = NULL,
                qr_expires_at = NULL, reconnect_attempt = 0, next_retry_at = NULL""", reason);
    }

    /** A QR ref is showing. */
    public Optional<ConnectionRow> markQr(String id, ConnectionStatus from, String qr, String qrImage, Instant expiresAt) {
        return update(id, from, "status = 'qr_ready', reason = NULL, qr = ?, qr_image = ?, qr_expires_at = ?",
                qr, qrImage, ts(expiresAt));
    }

    /** The phone linked; the session folder now holds a login. */
    public Optional<ConnectionRow> markAuthenticated(String id, ConnectionStatus from, String jid, String phone, String name) {
        return update(id, from, """
                status = 'authenticated', reason = NULL, jid = coalesce(?, jid), phone = coalesce(?, phone),
                push_name = coalesce(?, push_name), has_session = true, qr = NULL, qr_image = NULL, qr_expires_at = NULL""",
                jid, phone, name);
    }

    /** The socket is open. */
    public Optional<ConnectionRow> markReady(String id, ConnectionStatus from, String jid, String phone, String name) {
        return update(id, from, """
                status = 'ready', reason = NULL, jid = coalesce(?, jid), phone = coalesce(?, phone),
                push_name = coalesce(?, push_name), has_session = true, qr = NULL, qr_image = NULL,
                qr_expires_at = NULL, reconnect_attempt = 0, next_retry_at = NULL, connected_at = now()""",
                jid, phone, name);
    }

    /** A transient close: wait {@code nextRetry}, then dial again. */
    public Optional<ConnectionRow> markReconnecting(String id, ConnectionStatus from, String reason, int attempt, Instant nextRetry) {
        return update(id, from, "status = 'reconnecting', reason = ?, reconnect_attempt = ?, next_retry_at = ?, qr = NULL, qr_image = NULL, qr_expires_at = NULL",
                reason, attempt, ts(nextRetry));
    }

    /**
     * A state that needs a person (disconnected, error, logged_out): the connection is no longer
     * wanted running. {@code dropSession} records that the session folder is gone.
     */
    public Optional<ConnectionRow> markStopped(String id, ConnectionStatus from, ConnectionStatus status, String reason, boolean dropSession) {
        return update(id, from, """
                status = ?, reason = ?, desired_state = 'stopped', qr = NULL, qr_image = NULL, qr_expires_at = NULL,
                next_retry_at = NULL, reconnect_attempt = 0, has_session = has_session AND NOT ?""",
                status.wire(), reason, dropSession);
    }

    /** Only the status and reason change (e.g. initializing while restoring). */
    public Optional<ConnectionRow> markStatus(String id, ConnectionStatus from, ConnectionStatus status, String reason) {
        return update(id, from, "status = ?, reason = ?", status.wire(), reason);
    }

    /** Connections the engine should hold. */
    public List<ConnectionRow> findRunning() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connections WHERE desired_state = 'running' ORDER BY connection_id")
                .query(MAPPER).list();
    }

    public boolean delete(String id) {
        return jdbc.sql("DELETE FROM connections WHERE connection_id = ?").param(id).update() == 1;
    }

    /** Updates the row only while it still shows {@code from}; empty when it does not (or is gone). */
    private Optional<ConnectionRow> update(String id, ConnectionStatus from, String set, Object... params) {
        Object[] all = new Object[params.length + (fence == null ? 2 : 4)];
        System.arraycopy(params, 0, all, 0, params.length);
        all[params.length] = id;
        all[params.length + 1] = from.wire();
        if (fence != null) {
            all[params.length + 2] = fence.nodeId();
            all[params.length + 3] = fence.epoch();
        }
        return jdbc.sql("UPDATE connections SET " + set + ", updated_at = now(), status_changed_at = now() "
                        + "WHERE connection_id = ? AND status = ?" + (fence == null ? "" : FENCE) + " RETURNING " + COLUMNS)
                .params(all).query(MAPPER).optional();
    }

    static final RowMapper<ConnectionRow> MAPPER = (rs, n) -> new ConnectionRow(
            rs.getString("connection_id"),
            rs.getObject("owner_id", UUID.class),
            ConnectionStatus.fromWire(rs.getString("status")),
            rs.getString("reason"),
            rs.getString("phone"),
            rs.getString("push_name"),
            rs.getString("jid"),
            rs.getString("qr"),
            rs.getString("qr_image"),
            instant(rs, "qr_expires_at"),
            rs.getString("webhook_url"),
            rs.getString("session_dir"),
            "running".equals(rs.getString("desired_state")),
            rs.getBoolean("has_session"),
            rs.getInt("reconnect_attempt"),
            instant(rs, "next_retry_at"),
            instant(rs, "connected_at"),
            instant(rs, "status_changed_at"),
            instant(rs, "created_at"),
            instant(rs, "updated_at"),
            rs.getString("restricted_reason") == null ? null : new ConnectionRow.Restriction(rs.getString("restricted_reason"),
                    instant(rs, "restricted_until"), instant(rs, "restricted_since"), rs.getString("restricted_detail")),
            rs.getString("node_id"));
}
