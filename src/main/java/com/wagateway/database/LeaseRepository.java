package com.wagateway.database;

import static com.wagateway.database.Sql.instant;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code nodes} and {@code connection_leases} (issue 17). Every claim, renewal and hand-back
 * is one statement; times are the database's clock ({@code now()}), so nodes never compare their
 * own clocks. A claim takes only leases that are unowned or expired, locks them with
 * {@code FOR UPDATE SKIP LOCKED} (two nodes claiming at once get disjoint sets) and raises the
 * epoch, so every takeover fences off the previous owner.
 */
@Repository
public class LeaseRepository {

    /** A lease this node holds: connection and the epoch it was taken with. */
    public record Held(String connectionId, long epoch) {
    }

    /** A node's heartbeat row with its live lease count. */
    public record NodeRow(String nodeId, Instant startedAt, Instant heartbeatAt, int capacity, String version,
                          Instant stoppedAt, long connections, double heartbeatAgeSeconds) {
    }

    /** A lease row as listed for admins. */
    public record LeaseRow(String connectionId, String ownerNode, long epoch, Instant expiresAt, Instant acquiredAt,
                           double ageSeconds, boolean live) {
    }

    private final JdbcClient jdbc;

    public LeaseRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The live owner of a lease and the epoch it holds it with. */
    public record Owner(String nodeId, long epoch) {
    }

    /** Another live node's auth store and, for {@code files}, the token of its sessions-folder marker. */
    public record NodeStore(String nodeId, String authStore, String sessionsToken) {
    }

    /**
     * Writes this node's heartbeat (capacity, auth store, sessions marker token); a node that was
     * marked stopped is running again.
     */
    public void heartbeat(String nodeId, int capacity, String version, String authStore, String sessionsToken) {
        jdbc.sql("""
                INSERT INTO nodes (node_id, capacity, version, auth_store, sessions_token) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now(), capacity = excluded.capacity,
                    version = excluded.version, auth_store = excluded.auth_store,
                    sessions_token = excluded.sessions_token, stopped_at = NULL""")
                .params(nodeId, capacity, version, authStore, sessionsToken).update();
    }

    /** The other nodes alive now (heartbeat within {@code ttl}, not stopped), with how they keep sessions. */
    public List<NodeStore> otherLiveNodes(String nodeId, Duration ttl) {
        return jdbc.sql("""
                SELECT node_id, auth_store, sessions_token FROM nodes
                WHERE node_id <> ? AND stopped_at IS NULL AND heartbeat_at > now() - ?::interval
                ORDER BY node_id""")
                .params(nodeId, interval(ttl))
                .query((rs, n) -> new NodeStore(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    /** A clean shutdown: the node's row says so, and its leases are handed back (free at once). */
    public void stopNode(String nodeId) {
        releaseAll(nodeId);
        jdbc.sql("UPDATE nodes SET stopped_at = now() WHERE node_id = ?").param(nodeId).update();
    }

    /**
     * Renews, in one statement, every lease this node still holds on a connection that is still
     * wanted running; returns exactly those. A lease that expired but that no node took since still
     * names this node (a takeover would have changed the owner), so it is renewed too: nobody else
     * can have opened it. A lease missing from the answer is lost (taken over, or handed back
     * because nobody wants the connection running any more).
     */
    public List<Held> renew(String nodeId, Duration ttl) {
        return jdbc.sql("""
                UPDATE connection_leases l SET expires_at = now() + ?::interval
                FROM connections c
                WHERE l.owner_node = ? AND c.connection_id = l.connection_id
                  AND c.desired_state = 'running'
                RETURNING l.connection_id, l.epoch""")
                .params(interval(ttl), nodeId)
                .query((rs, n) -> new Held(rs.getString(1), rs.getLong(2))).list();
    }

    /**
     * Hands back this node's leases of connections nobody wants running any more (disconnected,
     * logged out, stopped by WhatsApp). Called after the renewal, which left them out, so their
     * sockets are closed by then: only the owner hands a lease back, so a connect right after a
     * disconnect can never start a second socket while the owner's is still open. The row and
     * its epoch stay; a dead node's unwanted leases simply expire.
     */
    public int releaseUnwanted(String nodeId) {
        return jdbc.sql("""
                UPDATE connection_leases l SET owner_node = NULL, expires_at = now()
                FROM connections c
                WHERE c.connection_id = l.connection_id AND c.desired_state = 'stopped' AND l.owner_node = ?""")
                .param(nodeId).update();
    }

    /** Every wanted connection gets a lease row (unowned), so claims only ever update rows. */
    public void createMissing() {
        jdbc.sql("""
                INSERT INTO connection_leases (connection_id, owner_node, epoch, expires_at)
                SELECT c.connection_id, NULL, 0, now() FROM connections c
                WHERE c.desired_state = 'running'
                  AND NOT EXISTS (SELECT 1 FROM connection_leases l WHERE l.connection_id = c.connection_id)
                ON CONFLICT (connection_id) DO NOTHING""").update();
    }

    /**
     * Takes up to {@code limit} unowned or expired leases of wanted connections for this node,
     * raising each one's epoch, except {@code except} (handed back by this node for rebalancing).
     * Rows another node is claiming at the same moment are skipped.
     */
    public List<Held> claim(String nodeId, int limit, Duration ttl, Collection<String> except) {
        if (limit <= 0) {
            return List.of();
        }
        return jdbc.sql("""
                WITH free AS (
                    SELECT l.connection_id FROM connection_leases l
                    JOIN connections c ON c.connection_id = l.connection_id
                    WHERE c.desired_state = 'running' AND (l.owner_node IS NULL OR l.expires_at <= now())
                      AND NOT (l.connection_id = ANY(?))
                    ORDER BY l.connection_id
                    LIMIT ? FOR UPDATE OF l SKIP LOCKED)
                UPDATE connection_leases l SET owner_node = ?, epoch = l.epoch + 1,
                    expires_at = now() + ?::interval, acquired_at = now()
                FROM free WHERE l.connection_id = free.connection_id
                RETURNING l.connection_id, l.epoch""")
                .params(except.toArray(String[]::new), limit, nodeId, interval(ttl))
                .query((rs, n) -> new Held(rs.getString(1), rs.getLong(2))).list();
    }

    /**
     * Takes this one connection's lease for this node if it is unowned or expired (a person just
     * asked to connect here), or answers the lease this node already holds live; empty when
     * another node holds it live.
     */
    public Optional<Held> claimOne(String nodeId, String connectionId, Duration ttl) {
        jdbc.sql("""
                INSERT INTO connection_leases (connection_id, owner_node, epoch, expires_at)
                VALUES (?, NULL, 0, now()) ON CONFLICT (connection_id) DO NOTHING""").param(connectionId).update();
        Optional<Held> taken = jdbc.sql("""
                UPDATE connection_leases l SET owner_node = ?, epoch = l.epoch + 1, expires_at = now() + ?::interval,
                    acquired_at = now()
                WHERE l.connection_id = ? AND (l.owner_node IS NULL OR l.expires_at <= now())
                RETURNING l.connection_id, l.epoch""")
                .params(nodeId, interval(ttl), connectionId)
                .query((rs, n) -> new Held(rs.getString(1), rs.getLong(2))).optional();
        if (taken.isPresent()) {
            return taken;
        }
        return jdbc.sql("""
                SELECT connection_id, epoch FROM connection_leases
                WHERE connection_id = ? AND owner_node = ? AND expires_at > now()""")
                .params(connectionId, nodeId)
                .query((rs, n) -> new Held(rs.getString(1), rs.getLong(2))).optional();
    }

    /** Hands these leases back (this node's only): free for any node at once. */
    public void release(String nodeId, Collection<String> connectionIds) {
        if (connectionIds.isEmpty()) {
            return;
        }
        jdbc.sql("""
                UPDATE connection_leases SET owner_node = NULL, expires_at = now()
                WHERE owner_node = ? AND connection_id = ANY(?)""")
                .params(nodeId, connectionIds.toArray(String[]::new)).update();
    }

    /** Hands back every lease of this node. */
    public void releaseAll(String nodeId) {
        jdbc.sql("UPDATE connection_leases SET owner_node = NULL, expires_at = now() WHERE owner_node = ?")
                .param(nodeId).update();
    }

    /** Connections whose lease another node holds live (boot leaves their stored state alone). */
    public List<String> heldLiveElsewhere(String nodeId) {
        return jdbc.sql("""
                SELECT connection_id FROM connection_leases
                WHERE owner_node IS NOT NULL AND owner_node <> ? AND expires_at > now()""")
                .param(nodeId).query(String.class).list();
    }

    /** The node holding this connection's lease live, if any. */
    public Optional<String> ownerOf(String connectionId) {
        return jdbc.sql("""
                SELECT owner_node FROM connection_leases
                WHERE connection_id = ? AND owner_node IS NOT NULL AND expires_at > now()""")
                .param(connectionId).query(String.class).optional();
    }

    /** The node holding this connection's lease live, with its epoch, if any. */
    public Optional<Owner> liveOwner(String connectionId) {
        return jdbc.sql("""
                SELECT owner_node, epoch FROM connection_leases
                WHERE connection_id = ? AND owner_node IS NOT NULL AND expires_at > now()""")
                .param(connectionId).query((rs, n) -> new Owner(rs.getString(1), rs.getLong(2))).optional();
    }

    /**
     * Whether the lease still names this fence's node and epoch, expired or not: nobody else can
     * have opened the connection since. Checked before a socket is started, because a node's
     * in-memory view is stale after a pause (its timers fire before its next renewal).
     */
    public boolean stillNames(LeaseFence fence, String connectionId) {
        return jdbc.sql("SELECT count(*) FROM connection_leases WHERE connection_id = ? AND owner_node = ? AND epoch = ?")
                .params(connectionId, fence.nodeId(), fence.epoch()).query(Long.class).single() > 0;
    }

    /**
     * {@link #stillNames}, and the lease row stays locked {@code FOR SHARE} until the caller's
     * transaction ends: a takeover (which raises the epoch) waits for that transaction, so what it
     * writes can never land after the connection moved. Call inside a transaction. (A frozen
     * caller's lock ends with its session: {@code DatabaseConfig}'s idle-in-transaction timeout.)
     */
    public boolean stillNamesLocked(LeaseFence fence, String connectionId) {
        return jdbc.sql("SELECT 1 FROM connection_leases WHERE connection_id = ? AND owner_node = ? AND epoch = ? FOR SHARE")
                .params(connectionId, fence.nodeId(), fence.epoch()).query(Integer.class).optional().isPresent();
    }

    /** Whether this fence still holds (owner, epoch, not expired): tells a stale write from a changed row. */
    public boolean holds(LeaseFence fence, String connectionId) {
        return jdbc.sql("""
                SELECT count(*) FROM connection_leases
                WHERE connection_id = ? AND owner_node = ? AND epoch = ? AND expires_at > now()""")
                .params(connectionId, fence.nodeId(), fence.epoch()).query(Long.class).single() > 0;
    }

    /**
     * Nodes with a heartbeat within {@code aliveWithin} and not stopped, with their live lease
     * counts; this node first is not implied (ordered by id).
     */
    public List<NodeRow> nodes() {
        return jdbc.sql("""
                SELECT n.node_id, n.started_at, n.heartbeat_at, n.capacity, n.version, n.stopped_at,
                       (SELECT count(*) FROM connection_leases l WHERE l.owner_node = n.node_id AND l.expires_at > now()) AS held,
                       extract(epoch FROM now() - n.heartbeat_at) AS age
                FROM nodes n ORDER BY n.node_id""")
                .query((rs, n) -> new NodeRow(rs.getString("node_id"), instant(rs, "started_at"), instant(rs, "heartbeat_at"),
                        rs.getInt("capacity"), rs.getString("version"), instant(rs, "stopped_at"), rs.getLong("held"),
                        rs.getDouble("age"))).list();
    }

    /** Every lease row (admins' cluster view). */
    public List<LeaseRow> leases() {
        return jdbc.sql("""
                SELECT connection_id, owner_node, epoch, expires_at, acquired_at,
                       extract(epoch FROM now() - acquired_at) AS age, (owner_node IS NOT NULL AND expires_at > now()) AS live
                FROM connection_leases ORDER BY connection_id""")
                .query((rs, n) -> new LeaseRow(rs.getString("connection_id"), rs.getString("owner_node"), rs.getLong("epoch"),
                        instant(rs, "expires_at"), instant(rs, "acquired_at"), rs.getDouble("age"), rs.getBoolean("live")))
                .list();
    }

    /**
     * One lease of {@code fromNode} handed back for rebalancing (the least recently acquired);
     * the least loaded node claims it at its next tick. Empty when it holds none.
     */
    public Optional<String> releaseOneForRebalance(String fromNode) {
        return jdbc.sql("""
                UPDATE connection_leases SET owner_node = NULL, expires_at = now()
                WHERE connection_id = (SELECT connection_id FROM connection_leases
                                       WHERE owner_node = ? AND expires_at > now()
                                       ORDER BY acquired_at, connection_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING connection_id""")
                .param(fromNode).query(String.class).optional();
    }

    /** A PostgreSQL interval literal for a duration, e.g. {@code 15000 milliseconds}. */
    static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }
}
