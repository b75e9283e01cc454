package com.wagateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.bench.EmulatorProcess;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.LeaseFence;
import com.wagateway.services.ConnectionLeases;
import com.wagateway.services.ConnectionStateMachine.Signal;
import com.wagateway.services.ConnectionTransitions;
import com.wagateway.support.ApiClient;
import com.wagateway.support.ClusterNode;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway nodes (two Spring contexts in this JVM, each with its own {@code NODE_ID}, engine
 * process and data folder) on one PostgreSQL (an embedded one started here, reached by both
 * through {@code DATABASE_URL}), one shared {@code SESSIONS_DIR} and one standalone emulated WhatsApp,
 * which counts a second live login of one device ({@code replaced}: must stay 0). Issue 17 parts
 * 1 and 3: ownership split, login limits shared, a send accepted by the node that does not own
 * the connection, realtime events of one node's connection reaching a client of the other, a
 * stale-epoch write refused, takeover after a frozen node's leases expire, the gentle rebalance
 * when it comes back, and the clean hand-back of a node that stops. The steps build on each other,
 * in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIntegrationTest {

    static final String PEER = "923001112233";
    static final Duration LONG = Duration.ofSeconds(90);

    static EmulatorProcess emulator;
    static com.wagateway.database.EmbeddedPostgresServer database;
    static GatewayHarness a;
    static GatewayHarness b;

    @BeforeAll
    static void startNodes() throws Exception {
        Path root = GatewayHarness.tempDataDir("cluster");
        emulator = EmulatorProcess.start(root.resolve("emulator"));
        // the shared database outlives both nodes (node A stops in the last step)
        database = com.wagateway.database.EmbeddedPostgresServer.start(root.resolve("postgres"));
        String url = database.databaseUrl();
        a = GatewayHarness.start(node(root, "node-a", url));
        b = GatewayHarness.start(node(root, "node-b", url));
    }

    static Map<String, String> node(Path root, String nodeId, String databaseUrl) {
        Map<String, String> p = ClusterNode.settings(root, nodeId, root.resolve("sessions"), emulator.url(), databaseUrl);
        p.put("gateway.cluster.rebalance-per-minute", "60"); // a move a second at most
        return p;
    }

    @AfterAll
    static void stopNodes() {
        GatewayHarness.closeAll(b, a, emulator, database);
    }

    /** Each node owns what was connected through it; both nodes answer both connections' status and the cluster view. */
    @Test
    @Order(1)
    void connectionsAreOwnedByTheNodeThatTookThem() {
        a.link("on-a", "923001000001", LONG);
        b.link("on-b", "923001000002", LONG);
        assertThat(a.get("/api/whatsapp-web/status/on-b").json().path("node_id").asString()).isEqualTo("node-b");
        assertThat(b.get("/api/connections/on-a").json().path("node_id").asString()).isEqualTo("node-a");
        JsonNode list = b.get("/api/connections").json();
        assertThat(list.toString()).contains("\"node_id\":\"node-a\"", "\"node_id\":\"node-b\"");
        assertThat(a.bean(ConnectionLeases.class).owns("on-a")).isTrue();
        assertThat(a.bean(ConnectionLeases.class).owns("on-b")).isFalse();

        JsonNode cluster = b.get("/api/cluster").json();
        assertThat(cluster.path("node_id").asString()).isEqualTo("node-b");
        assertThat(cluster.path("nodes").toString()).contains("\"node_id\":\"node-a\"", "\"node_id\":\"node-b\"");
        for (JsonNode n : cluster.path("nodes")) {
            assertThat(n.path("alive").asBoolean()).as(n.toString()).isTrue();
            assertThat(n.path("connections").asLong()).as(n.toString()).isEqualTo(1);
        }
        assertThat(lease(cluster, "on-a").path("owner_node").asString()).isEqualTo("node-a");
        assertThat(lease(cluster, "on-b").path("owner_node").asString()).isEqualTo("node-b");
    }

    /** Only admins see the cluster; a user gets 403 in the one error shape. */
    @Test
    @Order(2)
    void theClusterViewIsForAdminsOnly() {
        ApiClient.Response created = a.post("/api/users", "{\"email\":\"plain@example.com\",\"password\":\"a-long-password-1\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        // the user logs in on node B: accounts and sessions' users are shared through the database
        ApiClient user = b.browser(true).login("plain@example.com", "a-long-password-1");
        ApiClient.Response r = user.get("/api/cluster");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").path("code").asString()).isNotBlank();
        assertThat(a.anonymous().get("/api/cluster").status()).isEqualTo(401);
    }

    /** Failed logins count on every node: five wrong passwords on node A, and node B refuses the sixth. */
    @Test
    @Order(3)
    void loginLimitsAreSharedByTheNodes() {
        a.post("/api/users", "{\"email\":\"guessed@example.com\",\"password\":\"guessed-password-1\"}");
        for (int i = 0; i < 5; i++) {
            assertThat(a.anonymous().post("/api/auth/login", "{\"email\":\"guessed@example.com\",\"password\":\"wrong-" + i
                    + "\"}").status()).isEqualTo(401);
        }
        ApiClient.Response limited = b.anonymous().post("/api/auth/login",
                "{\"email\":\"guessed@example.com\",\"password\":\"guessed-password-1\"}");
        assertThat(limited.status()).as(limited.raw()).isEqualTo(429);
        assertThat(limited.json().path("error").path("code").asString()).isNotBlank();
    }

    /** A send accepted by node A for node B's connection is sent by B, exactly once, and A answers its outcome. */
    @Test
    @Order(4)
    void aSendAcceptedByAnotherNodeIsSentOnceByTheOwner() {
        ApiClient.Response r = a.post("/api/send-message", "{\"connection_id\":\"on-b\",\"to\":\"" + PEER
                + "\",\"message\":\"via node a\",\"client_message_id\":\"cross-1\"}");
        assertThat(r.status()).as(r.raw()).isIn(200, 202);
        JsonNode sent = a.awaitMessage("on-b", "cross-1",
                m -> java.util.List.of(GatewayHarness.SEND_ACCEPTED).contains(m.path("status").asString()), LONG);
        String pid = sent.path("provider_message_id").asString();
        b.awaitSandboxSentContent("on-b", pid);
        assertThat(b.sandboxSentCount("on-b", pid)).isEqualTo(1);
        // a repeat through the other node is the same message, not a second one
        ApiClient.Response again = b.post("/api/send-message", "{\"connection_id\":\"on-b\",\"to\":\"" + PEER
                + "\",\"message\":\"via node a\",\"client_message_id\":\"cross-1\"}");
        assertThat(again.json().path("provider_message_id").asString()).isEqualTo(pid);
        assertThat(b.sandboxSentCount("on-b", pid)).isEqualTo(1);
    }

    /** A Socket.IO client connected to node A receives the events of node B's connection (LISTEN/NOTIFY). */
    @Test
    @Order(5)
    void realtimeClientsOfOneNodeSeeTheOtherNodesEvents() {
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages are not installed (run the Maven build)").isTrue();
        NodeScript.Result r = NodeScript.run("e2e/cluster-realtime.mjs", Map.of(
                "BASE_A", a.baseUrl(),
                "RT_URL_A", "http://127.0.0.1:" + a.realtimePort(),
                "BASE_B", b.baseUrl(),
                "KEY", GatewayHarness.ADMIN_KEY,
                "CONN", "on-b"), Duration.ofMinutes(3));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("0 failed");
        b.awaitStatus("on-b", "ready", LONG);
    }

    /** A status write carrying an epoch older than the lease's is refused and changes nothing. */
    @Test
    @Order(6)
    void aStatusWriteWithAStaleEpochIsRefused() {
        ConnectionLeases leases = b.bean(ConnectionLeases.class);
        LeaseFence current = leases.fence("on-b").orElseThrow();
        ConnectionTransitions transitions = b.bean(ConnectionTransitions.class);
        long staleBefore = transitions.staleCount();
        ConnectionRow row = b.bean(ConnectionRepository.class).find("on-b").orElseThrow();
        LeaseFence stale = new LeaseFence("node-b", current.epoch() - 1);
        assertThat(transitions.apply(row, Signal.CLOSED_OTHER, com.wagateway.services.ConnectionTransitions.Details.retry(
                "stale", 1, java.time.Instant.now().plusSeconds(60)), stale)).isEmpty();
        assertThat(transitions.staleCount()).isEqualTo(staleBefore + 1);
        LeaseFence otherNode = new LeaseFence("node-a", current.epoch());
        assertThat(transitions.apply(row, Signal.CLOSED_OTHER, com.wagateway.services.ConnectionTransitions.Details.retry(
                "stale", 1, java.time.Instant.now().plusSeconds(60)), otherNode)).isEmpty();
        assertThat(b.get("/api/connections/on-b").json().path("status").asString()).isEqualTo("ready");
    }

    /**
     * Node B freezes (renewals stop): it closes its socket itself before its lease expires, node A
     * takes the connection over with a higher epoch and runs it without a QR, and the emulator
     * never saw two live logins of the device.
     */
    @Test
    @Order(7)
    void aFrozenNodesConnectionIsTakenOverWithoutADoubleLogin() {
        long epochBefore = b.bean(ConnectionLeases.class).fence("on-b").orElseThrow().epoch();
        b.bean(ConnectionLeases.class).renewals(false);
        await(() -> !b.bean(ConnectionLeases.class).owns("on-b"), Duration.ofSeconds(30), "node B let go of on-b");
        await(() -> a.bean(ConnectionLeases.class).owns("on-b"), LONG, "node A took on-b over");
        JsonNode status = a.awaitStatus("on-b", s -> "ready".equals(s.path("status").asString())
                && "node-a".equals(s.path("node_id").asString()), LONG);
        assertThat(status.path("has_session").asBoolean()).isTrue();
        assertThat(a.bean(ConnectionLeases.class).fence("on-b").orElseThrow().epoch()).isGreaterThan(epochBefore);
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
        // node A sends for it now
        ApiClient.Response r = b.post("/api/send-message", "{\"connection_id\":\"on-b\",\"to\":\"" + PEER
                + "\",\"message\":\"after takeover\",\"client_message_id\":\"cross-2\"}");
        assertThat(r.status()).as(r.raw()).isIn(200, 202);
        JsonNode sent = b.awaitMessage("on-b", "cross-2",
                m -> java.util.List.of(GatewayHarness.SEND_ACCEPTED).contains(m.path("status").asString()), LONG);
        a.awaitSandboxSentContent("on-b", sent.path("provider_message_id").asString());
    }

    /**
     * Node B comes back (renewals resume): node A, now the most loaded by two, hands one
     * connection back (socket closed first), node B runs it, and they end with one each, still
     * without a double login.
     */
    @Test
    @Order(8)
    void aNodeThatComesBackGetsItsShareGently() {
        b.bean(ConnectionLeases.class).renewals(true);
        await(() -> b.bean(ConnectionLeases.class).owned().size() == 1 && a.bean(ConnectionLeases.class).owned().size() == 1,
                LONG, "one connection each after the rebalance");
        String moved = b.bean(ConnectionLeases.class).owned().iterator().next();
        b.awaitStatus(moved, s -> "ready".equals(s.path("status").asString()) && "node-b".equals(s.path("node_id").asString()), LONG);
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
    }

    /** Node A stops cleanly: its leases are handed back at once and node B runs everything, without a QR. */
    @Test
    @Order(9)
    void aNodeThatStopsHandsItsConnectionsOver() {
        a.close();
        for (String id : new String[] {"on-a", "on-b"}) {
            JsonNode s = b.awaitStatus(id, x -> "ready".equals(x.path("status").asString())
                    && "node-b".equals(x.path("node_id").asString()), LONG);
            assertThat(s.path("has_session").asBoolean()).isTrue();
        }
        JsonNode cluster = b.get("/api/cluster").json();
        for (JsonNode n : cluster.path("nodes")) {
            if ("node-a".equals(n.path("node_id").asString())) {
                assertThat(n.path("alive").asBoolean()).isFalse();
                assertThat(n.path("stopped_at").isNull()).isFalse();
            }
        }
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
    }

    static JsonNode lease(JsonNode cluster, String connectionId) {
        for (JsonNode l : cluster.path("leases")) {
            if (connectionId.equals(l.path("connection_id").asString())) {
                return l;
            }
        }
        throw new AssertionError("no lease for " + connectionId + " in " + cluster);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            GatewayHarness.sleep(50);
        }
    }
}
