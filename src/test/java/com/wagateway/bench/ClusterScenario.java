package com.wagateway.bench;

import com.wagateway.database.EmbeddedPostgresServer;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.GatewayProcess;
import com.wagateway.support.PostgresAuth;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * Several nodes (issue 17): the same work on a cluster of one gateway JVM and of two
 * ({@link GatewayProcess}, each its own {@code NODE_ID} and engine process, one PostgreSQL and
 * the run's standalone emulator): {@code clusterConnections} linked per node, then an inbound flood of
 * {@code clusterInbound} messages over all of them, reported as aggregate connections and stored
 * messages per second, with the ratio two nodes / one. Then one of the two nodes is killed
 * (SIGKILL) and the time from the kill to each of its connections being ready on the other node
 * is reported (p50 / p90 / max). Each cluster has its own database and phones. Measured, never
 * asserted; on this machine both nodes share the same two cores.
 */
final class ClusterScenario {

    private ClusterScenario() {
    }

    static Map<String, Object> run(Path dataDir, EmulatorProcess emulator, BenchConfig c) throws Exception {
        Map<String, Object> one = cluster(dataDir.resolve("cluster-1"), emulator, c, 1);
        Map<String, Object> two = cluster(dataDir.resolve("cluster-2"), emulator, c, 2);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("one_node", one);
        r.put("two_nodes", two);
        double a = ((Number) one.get("messages_per_second")).doubleValue();
        double b = ((Number) two.get("messages_per_second")).doubleValue();
        r.put("inbound_ratio_two_over_one", a > 0 ? Stats.round(b / a) : 0);
        r.put("failover", two.remove("failover"));
        return r;
    }

    private static Map<String, Object> cluster(Path dir, EmulatorProcess emulator, BenchConfig c, int nodeCount) throws Exception {
        try (EmbeddedPostgresServer database = EmbeddedPostgresServer.start(dir.resolve("postgres"))) {
            String url = database.databaseUrl();
            String jdbc = "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres";
            List<GatewayProcess> nodes = new ArrayList<>();
            try {
                List<CompletableFuture<GatewayProcess>> starting = new ArrayList<>();
                for (int n = 1; n <= nodeCount; n++) {
                    String id = "bench-node-" + n;
                    Map<String, String> s = Benchmark.settings(dir.resolve(id));
                    s.putAll(PostgresAuth.settings(dir.resolve(id), PostgresAuth.KEY));
                    s.putAll(Map.of("gateway.database-url", url, "gateway.engine.sandbox.emulator-url", emulator.url(),
                            "gateway.cluster.lease-ttl", "6s", "gateway.cluster.rebalance-per-minute", "0",
                            "gateway.engine.command-timeout", "300s", "gateway.lifecycle.qr-wait", "30s",
                            // each node logs to its own file (GatewayProcess), not the run's output: info, to explain a stall
                            "gateway.engine.log-level", "info", "logging.level.com.wagateway", "INFO", "logging.level.engine", "INFO"));
                    starting.add(CompletableFuture.supplyAsync(() -> GatewayProcess.start(id, s, Duration.ofMinutes(3)),
                            java.util.concurrent.Executors.newSingleThreadExecutor()));
                }
                for (CompletableFuture<GatewayProcess> f : starting) {
                    nodes.add(f.join());
                }
                Map<String, String> phones = new LinkedHashMap<>();
                int total = c.clusterConnections() * nodeCount;
                for (int i = 0; i < total; i++) {
                    String id = "bench_cluster" + nodeCount + "_" + i;
                    phones.put(id, "9235" + nodeCount + String.format("%07d", i));
                    link(nodes, jdbc, database.username(), nodes.get(i % nodeCount), id, phones.get(id));
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("nodes", nodeCount);
                r.put("connections", total);
                int perConnection = Math.max(1, c.clusterInbound() / total);
                flood(emulator, phones, Math.max(1, Math.min(perConnection, 2_000 / total)), c.inboundBatch(), jdbc, database.username()); // warm-up
                long start = System.nanoTime();
                long stored = flood(emulator, phones, perConnection, c.inboundBatch(), jdbc, database.username());
                double seconds = (System.nanoTime() - start) / 1e9;
                r.put("messages", stored);
                r.put("sent", perConnection * total);
                r.put("seconds", Stats.round(seconds));
                r.put("messages_per_second", Stats.round(stored / seconds));
                if (nodeCount > 1) {
                    r.put("failover", failover(nodes, jdbc, database.username()));
                }
                return r;
            } finally {
                for (GatewayProcess n : nodes) {
                    n.close();
                }
            }
        }
    }

    /** Links through {@code via}; the emulated phone's scan goes to the lease owner (a sandbox command runs on the owner's engine). */
    private static void link(List<GatewayProcess> nodes, String jdbc, String user, GatewayProcess via, String id, String phone) throws SQLException {
        ApiClient.Response qr = via.admin().get("/api/get-qr/" + id);
        String owner = query(jdbc, user, "SELECT owner_node FROM connection_leases WHERE connection_id = ?", id);
        GatewayProcess node = nodes.stream().filter(n -> n.nodeId().equals(owner)).findFirst().orElse(via);
        if (!"qr_ready".equals(qr.json().path("status").asString())) {
            qr = node.admin().get("/api/get-qr/" + id);
        }
        ApiClient.Response scan = node.admin().post("/api/sandbox/" + id + "/scan", "{\"phone\":\"" + phone + "\"}");
        if (scan.status() != 200) {
            throw new IllegalStateException("scan of " + id + " refused: " + scan.raw() + " (QR answer " + qr.raw() + ")");
        }
        GatewayHarness.awaitStatus(via.admin(), id, s -> "ready".equals(s.path("status").asString()), Duration.ofMinutes(2));
    }

    /** Every account gets {@code perConnection} stamped texts at once; returns the stored count once all are in (or after 3 minutes). */
    private static long flood(EmulatorProcess emulator, Map<String, String> phones, int perConnection, int batch, String jdbc,
                              String user) throws SQLException {
        long before = Long.parseLong(query(jdbc, user, "SELECT count(*) FROM messages WHERE direction = 'inbound' AND body LIKE ?", "bench %"));
        List<CompletableFuture<?>> bursts = new ArrayList<>();
        for (String phone : phones.values()) {
            bursts.add(emulator.burst(phone, perConnection, batch, 200, 0, 1024));
        }
        CompletableFuture.allOf(bursts.toArray(CompletableFuture[]::new)).join();
        long want = before + (long) perConnection * phones.size();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long now = before;
        while (now < want && System.nanoTime() < deadline) {
            GatewayHarness.sleep(50);
            now = Long.parseLong(query(jdbc, user, "SELECT count(*) FROM messages WHERE direction = 'inbound' AND body LIKE ?", "bench %"));
        }
        return now - before;
    }

    /** Kills the node owning the most connections; times, from the kill, until each is ready on the other node. */
    private static Map<String, Object> failover(List<GatewayProcess> nodes, String jdbc, String user) throws SQLException {
        Map<String, String> owners = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, user, "");
             ResultSet rs = c.createStatement().executeQuery("SELECT connection_id, owner_node FROM connection_leases")) {
            while (rs.next()) {
                owners.put(rs.getString(1), rs.getString(2));
            }
        }
        GatewayProcess victim = nodes.stream().max(java.util.Comparator.comparingLong(
                n -> owners.values().stream().filter(n.nodeId()::equals).count())).orElseThrow();
        List<String> moving = owners.entrySet().stream().filter(e -> victim.nodeId().equals(e.getValue())).map(Map.Entry::getKey).toList();
        Timestamp killedAt = Timestamp.valueOf(query(jdbc, user, "SELECT now()::timestamp", null));
        long kill = System.nanoTime();
        victim.kill9();
        Map<String, Long> ready = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (ready.size() < moving.size() && System.nanoTime() < deadline) {
            for (String id : moving) {
                if (!ready.containsKey(id) && readyElsewhere(jdbc, user, id, victim.nodeId(), killedAt)) {
                    ready.put(id, (System.nanoTime() - kill) / 1_000_000);
                }
            }
            GatewayHarness.sleep(100);
        }
        long[] ms = ready.values().stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections_moved", moving.size());
        r.put("ready_elsewhere", ms.length);
        r.put("p50_ms", Stats.pct(ms, 0.50));
        r.put("p90_ms", Stats.pct(ms, 0.90));
        r.put("max_ms", ms.length == 0 ? 0 : ms[ms.length - 1]);
        r.put("all_ms", Arrays.stream(ms).boxed().toList());
        return r;
    }

    private static boolean readyElsewhere(String jdbc, String user, String id, String from, Timestamp since) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, user, "");
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM connections c JOIN connection_leases l USING (connection_id)"
                     + " WHERE c.connection_id = ? AND c.status = 'ready' AND l.owner_node <> ? AND c.status_changed_at > ?")) {
            ps.setString(1, id);
            ps.setString(2, from);
            ps.setTimestamp(3, since);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String query(String jdbc, String user, String sql, String param) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, user, ""); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
