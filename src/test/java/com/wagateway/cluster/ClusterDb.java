package com.wagateway.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What the failover test reads straight from the cluster's PostgreSQL (the nodes are other JVMs):
 * lease owners, connection rows, message rows. A new JDBC connection per query: a query never
 * waits behind another thread's.
 */
final class ClusterDb {

    /** A connection's status row and lease, as the test compares them before and after a node resumes. */
    record Row(String connectionId, String status, boolean hasSession, String qr, Timestamp statusChangedAt,
               Timestamp updatedAt, String owner, long epoch) {
    }

    private final String url;
    private final String user;

    ClusterDb(int port, String user) {
        this.url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        this.user = user;
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(Query<T> q) {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            return q.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database's clock now (statuses are stamped with it, not with this JVM's). */
    Timestamp now() {
        return query(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT now()")) {
                rs.next();
                return rs.getTimestamp(1);
            }
        });
    }

    /** connection id → owner node of its lease (live or not). */
    Map<String, String> owners() {
        return query(c -> {
            Map<String, String> m = new HashMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT connection_id, owner_node FROM connection_leases")) {
                while (rs.next()) {
                    m.put(rs.getString(1), rs.getString(2));
                }
            }
            return m;
        });
    }

    Row row(String connectionId) {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT c.status, c.has_session, c.qr, c.status_changed_at, c.updated_at,"
                    + " l.owner_node, l.epoch FROM connections c LEFT JOIN connection_leases l USING (connection_id)"
                    + " WHERE c.connection_id = ?")) {
                ps.setString(1, connectionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new AssertionError("no connection " + connectionId);
                    }
                    return new Row(connectionId, rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getTimestamp(4),
                            rs.getTimestamp(5), rs.getString(6), rs.getLong(7));
                }
            }
        });
    }

    boolean heartbeatAfter(String nodeId, Timestamp since) {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT heartbeat_at > ? FROM nodes WHERE node_id = ?")) {
                ps.setTimestamp(1, since);
                ps.setString(2, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    /** Whether the message with this client id was sent (or got a receipt since). */
    boolean sentStatus(String connectionId, String clientMessageId) {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT status FROM messages WHERE connection_id = ? AND client_message_id = ?")) {
                ps.setString(1, connectionId);
                ps.setString(2, clientMessageId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && java.util.List.of("sent", "delivered", "read").contains(rs.getString(1));
                }
            }
        });
    }

    /** client ids of these sends not yet sent (queued, failed or missing), with their status. */
    Map<String, String> unsent(Collection<String> clientMessageIds) {
        Map<String, String> all = statuses(clientMessageIds, "status");
        Map<String, String> unsent = new HashMap<>();
        for (String id : clientMessageIds) {
            String s = all.get(id);
            if (!java.util.List.of("sent", "delivered", "read").contains(s)) {
                unsent.put(id, String.valueOf(s));
            }
        }
        return unsent;
    }

    /** client id → WhatsApp id of these outbound messages. */
    Map<String, String> providerIds(Collection<String> clientMessageIds) {
        return statuses(clientMessageIds, "provider_message_id");
    }

    private Map<String, String> statuses(Collection<String> clientMessageIds, String column) {
        return query(c -> {
            Map<String, String> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT client_message_id, " + column
                    + " FROM messages WHERE direction = 'outbound' AND client_message_id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("text", clientMessageIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (m.put(rs.getString(1), rs.getString(2)) != null) {
                            throw new AssertionError("two rows for client_message_id " + rs.getString(1));
                        }
                    }
                }
            }
            return m;
        });
    }

    /** WhatsApp id → how many inbound rows carry it, for those of these ids that are stored. */
    Map<String, Long> storedInbound(Collection<String> providerIds) {
        return query(c -> {
            Map<String, Long> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT provider_message_id, count(*) FROM messages"
                    + " WHERE direction = 'inbound' AND provider_message_id = ANY (?) GROUP BY provider_message_id")) {
                ps.setArray(1, c.createArrayOf("text", providerIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return m;
        });
    }

    /**
     * Polls PostgreSQL until every connection in {@code moving} is ready with a status written
     * after {@code since} by a lease owner other than {@code from}; returns each one's time from
     * {@code sinceNanos} in ms. A QR status on the way fails at once.
     */
    Map<String, Long> awaitReadyElsewhere(java.util.List<String> moving, String from, Timestamp since, long sinceNanos,
                                          java.time.Duration timeout) {
        Map<String, Long> readyAfter = new java.util.LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (readyAfter.size() < moving.size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready elsewhere within " + timeout + ": "
                        + moving.stream().filter(id -> !readyAfter.containsKey(id)).map(this::row).toList());
            }
            for (String id : moving) {
                if (readyAfter.containsKey(id)) {
                    continue;
                }
                Row r = row(id);
                if ("qr_ready".equals(r.status())) {
                    throw new AssertionError(id + " asked for a QR: " + r);
                }
                if ("ready".equals(r.status()) && r.owner() != null && !r.owner().equals(from) && r.statusChangedAt().after(since)) {
                    readyAfter.put(id, (System.nanoTime() - sinceNanos) / 1_000_000);
                }
            }
            com.wagateway.support.GatewayHarness.sleep(100);
        }
        return readyAfter;
    }
}
