package com.wagateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wagateway.bench.EmulatorProcess;
import com.wagateway.services.CommandRouter;
import com.wagateway.services.ConnectionLeases;
import com.wagateway.services.ConnectionSettingsService;
import com.wagateway.services.SharedSessions;
import com.wagateway.support.ApiClient;
import com.wagateway.support.ClusterNode;
import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Issue 17, "any node answers any request", for everything that is not a send: two nodes (two
 * Spring contexts in this JVM, own {@code NODE_ID}s, one PostgreSQL, one shared
 * {@code SESSIONS_DIR}, one standalone emulator), connections owned by node B, every request sent
 * to node A, which is full (capacity 0) so that it never takes one. The engine commands run on B (its {@link CommandRouter} counts what it took), A
 * answers exactly as B would (same statuses, same errors), a QR and a pairing code of B's
 * connections come through A without waiting out {@code QR_WAIT}, a settings change through A
 * reaches B's copy, an owner that does not answer gives 503 {@code owner_unreachable} and never
 * runs the command later, a node with {@code AUTH_STORE=files} and a SESSIONS_DIR of its own
 * is refused, and a delete through A answers only once B's socket is closed. The steps build on
 * each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRoutingIntegrationTest {

    static final String PEER = "923001112233";
    static final Duration LONG = Duration.ofSeconds(90);

    static Path root;
    static EmulatorProcess emulator;
    static com.wagateway.database.EmbeddedPostgresServer database;
    static String databaseUrl;
    static GatewayHarness a;
    static GatewayHarness b;

    @BeforeAll
    static void startNodes() throws Exception {
        root = GatewayHarness.tempDataDir("routing");
        emulator = EmulatorProcess.start(root.resolve("emulator"));
        database = com.wagateway.database.EmbeddedPostgresServer.start(root.resolve("postgres"));
        databaseUrl = database.databaseUrl();
        // node A is full (capacity 0): it never owns a connection, so every step routes to node B
        Map<String, String> full = node("node-a", root.resolve("sessions"));
        full.put("gateway.cluster.max-connections", "0");
        a = GatewayHarness.start(full);
        b = GatewayHarness.start(node("node-b", root.resolve("sessions")));
    }

    static Map<String, String> node(String nodeId, Path sessions) {
        Map<String, String> p = ClusterNode.settings(root, nodeId, sessions, emulator.url(), databaseUrl);
        p.put("gateway.cluster.rebalance-per-minute", "0"); // B keeps what it owns: every step routes to it
        p.put("gateway.cluster.route-timeout", "3s");
        // longer than the test client's 60 s: a get-qr that waited it out instead of seeing the owner's QR fails
        p.put("gateway.lifecycle.qr-wait", "300s");
        return p;
    }

    @AfterAll
    static void stopNodes() {
        GatewayHarness.closeAll(b, a, emulator, database);
    }

    /**
     * Node B runs "rb" (created and connected through B); node A scans its QR, checks a contact,
     * creates a group, sends presence and a sandbox inbound message for it: each is run by B and
     * answered by A as B answers it, refusals included.
     */
    @Test
    @Order(1)
    void commandsThroughNodeARunOnTheOwnerAndAnswerAsThere() {
        ApiClient.Response created = b.post("/api/connections", "{\"connection_id\":\"rb\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(b.get("/api/get-qr/rb").json().path("status").asString()).isEqualTo("qr_ready");
        assertThat(b.bean(ConnectionLeases.class).owns("rb")).isTrue();
        CommandRouter onB = b.bean(CommandRouter.class);
        long before = onB.executed();
        ApiClient.Response scan = a.post("/api/sandbox/rb/scan", "{\"phone\":\"923008880001\",\"name\":\"Corner Shop\"}");
        assertThat(scan.status()).as(scan.raw()).isEqualTo(200);
        a.awaitStatus("rb", s -> "ready".equals(s.path("status").asString()) && "node-b".equals(s.path("node_id").asString()), LONG);
        assertThat(onB.executed()).isEqualTo(before + 1);

        ApiClient.Response checked = a.get("/api/connections/rb/contacts/check?phone=" + PEER + "&phone=923009990001");
        assertThat(checked.status()).as(checked.raw()).isEqualTo(200);
        assertThat(checked.json()).isEqualTo(b.get("/api/connections/rb/contacts/check?phone=" + PEER + "&phone=923009990001").json());
        assertThat(checked.raw()).contains(PEER + "@s.whatsapp.net");

        ApiClient.Response group = a.post("/api/connections/rb/groups", "{\"subject\":\"Routed\",\"participants\":[\"" + PEER + "\"]}");
        assertThat(group.status()).as(group.raw()).isEqualTo(201);
        String jid = group.json().path("group_jid").asString();
        assertThat(jid).endsWith("@g.us");
        assertThat(b.get("/api/connections/rb/groups/" + jid).json().path("subject").asString()).isEqualTo("Routed");
        // WhatsApp's refusal, mapped on A exactly as on B
        ApiClient.Response missingOnA = a.get("/api/connections/rb/groups/120363999999999999@g.us");
        ApiClient.Response missingOnB = b.get("/api/connections/rb/groups/120363999999999999@g.us");
        assertThat(missingOnA.status()).as(missingOnA.raw()).isEqualTo(404).isEqualTo(missingOnB.status());
        assertThat(missingOnA.json().path("error").path("code").asString()).isEqualTo("group_not_found")
                .isEqualTo(missingOnB.json().path("error").path("code").asString());

        ApiClient.Response typing = a.post("/api/connections/rb/presence", "{\"to\":\"" + PEER + "\",\"state\":\"composing\"}");
        assertThat(typing.status()).as(typing.raw()).isEqualTo(200);
        assertThat(typing.json().path("to").asString()).isEqualTo(PEER + "@s.whatsapp.net");

        ApiClient.Response inbound = a.post("/api/sandbox/rb/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"to node b\"}");
        assertThat(inbound.status()).as(inbound.raw()).isEqualTo(200);
        String pid = inbound.json().path("provider_message_id").asString();
        assertThat(pid).isNotBlank();
        awaitTrue(() -> a.count("SELECT count(*) FROM messages WHERE connection_id = 'rb' AND provider_message_id = ?", pid) == 1,
                "node B stored the inbound message once");

        assertThat(onB.executed()).as("every engine command above ran on node B").isGreaterThanOrEqualTo(before + 6);
        assertThat(a.bean(CommandRouter.class).executed()).isZero();
        assertThat(a.bean(ConnectionLeases.class).owns("rb")).isFalse();
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
    }

    /** A settings change through node A replaces the copy the owner's inbound filter and pacer read. */
    @Test
    @Order(2)
    void aSettingsChangeThroughNodeAReachesTheOwnersCopy() {
        ConnectionSettingsService onB = b.bean(ConnectionSettingsService.class);
        assertThat(onB.current("rb").callReplyText()).isNull(); // B holds its copy now
        ApiClient.Response r = a.admin().put("/api/connections/rb/settings", "{\"call_reply_text\":\"busy, text me\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        awaitTrue(() -> "busy, text me".equals(onB.current("rb").callReplyText()), "node B's copy has the new setting");
    }

    /**
     * A QR of a connection node B is starting comes through node A as soon as B stored it (the
     * QR wait is longer than the client's timeout), and so does a pairing code, which then links.
     */
    @Test
    @Order(3)
    void theQrAndThePairingCodeOfTheOwnerComeThroughNodeA() {
        for (String id : new String[] {"qb", "pb"}) {
            assertThat(b.post("/api/connections", "{\"connection_id\":\"" + id + "\"}").status()).isEqualTo(201);
            ApiClient.Response connect = b.post("/api/connections/" + id + "/connect", "");
            assertThat(connect.status()).as(connect.raw()).isEqualTo(200);
        }
        ApiClient.Response qr = a.get("/api/get-qr/qb");
        assertThat(qr.status()).as(qr.raw()).isEqualTo(200);
        assertThat(qr.json().path("status").asString()).isEqualTo("qr_ready");
        assertThat(qr.json().path("qr").asString()).isNotBlank();
        assertThat(b.bean(ConnectionLeases.class).owns("qb")).isTrue();

        ApiClient.Response asked = a.post("/api/connections/pb/pairing-code", "{\"phone\":\"923008880002\"}");
        assertThat(asked.status()).as(asked.raw()).isIn(200, 201);
        String code = asked.json().path("code").asString();
        assertThat(code).isNotBlank();
        assertThat(a.get("/api/connections/pb/pairing-code").json().path("code").asString()).isEqualTo(code);
        ApiClient.Response paired = a.post("/api/sandbox/pb/pair", "{\"code\":\"" + code + "\"}");
        assertThat(paired.status()).as(paired.raw()).isEqualTo(200);
        a.awaitStatus("pb", s -> "ready".equals(s.path("status").asString()) && "node-b".equals(s.path("node_id").asString()), LONG);
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
    }

    /** An edit through node A (sent at once, not queued) is sent by node B, once. */
    @Test
    @Order(4)
    void anEditThroughNodeAIsSentByTheOwner() {
        ApiClient.Response r = a.post("/api/send-message", "{\"connection_id\":\"pb\",\"to\":\"" + PEER
                + "\",\"message\":\"see you at 5\",\"client_message_id\":\"routed-edit\"}");
        assertThat(r.status()).as(r.raw()).isIn(200, 202);
        String pid = a.awaitMessage("pb", "routed-edit",
                m -> java.util.List.of(GatewayHarness.SEND_ACCEPTED).contains(m.path("status").asString()), LONG)
                .path("provider_message_id").asString();
        ApiClient.Response edited = a.admin().patch("/api/connections/pb/messages/routed-edit", "{\"message\":\"see you at 6\"}");
        assertThat(edited.status()).as(edited.raw()).isEqualTo(200);
        assertThat(edited.json().path("edited").asBoolean()).isTrue();
        var onB = b.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        awaitTrue(() -> editsOf(onB, pid) == 1, "the contact got the edit from node B");
    }

    /** How many edits of {@code pid} the contact of "pb" decrypted (asked on the owner's engine). */
    static long editsOf(com.wagateway.whatsapp.RawEngineCommands engine, String pid) {
        long n = 0;
        for (JsonNode m : engine.sandbox("sent", "pb", engine.newArgs()).join().path("messages")) {
            JsonNode c = m.path("content");
            if ("edit".equals(c.path("type").asString()) && pid.equals(c.path("targetId").asString()) && "see you at 6".equals(c.path("text").asString())) {
                n += m.path("count").asInt();
            }
        }
        return n;
    }

    /** A logout through node A is run by node B on the open socket: the session goes, nothing restarts it. */
    @Test
    @Order(5)
    void aLogoutThroughNodeAIsRunByTheOwner() {
        CommandRouter onB = b.bean(CommandRouter.class);
        long before = onB.executed();
        assertThat(Files.isDirectory(root.resolve("sessions").resolve("rb"))).isTrue();
        ApiClient.Response r = a.post("/api/connections/rb/logout", "");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(onB.executed()).isEqualTo(before + 1);
        assertThat(Files.exists(root.resolve("sessions").resolve("rb"))).isFalse();
        awaitTrue(() -> !b.bean(ConnectionLeases.class).owns("rb"), "node B let go of rb");
        JsonNode s = b.get("/api/connections/rb").json();
        assertThat(s.path("has_session").asBoolean()).as(s.toString()).isFalse();
        assertThat(a.bean(ConnectionLeases.class).owns("rb")).isFalse();
    }

    /**
     * An owner that does not take the command in time: 503 {@code owner_unreachable}, and the
     * command is marked so that the owner never runs it; the next command (the later marker) is
     * the only one it runs.
     */
    @Test
    @Order(6)
    void anOwnerThatDoesNotAnswerGives503AndNeverRunsItLater() {
        CommandRouter onB = b.bean(CommandRouter.class);
        long before = onB.executed();
        onB.pause(true);
        ApiClient.Response r;
        try {
            r = a.get("/api/connections/pb/contacts/check?phone=923009990002");
        } finally {
            onB.pause(false);
        }
        assertThat(r.status()).as(r.raw()).isEqualTo(503);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("owner_unreachable");
        assertThat(a.count("SELECT count(*) FROM routed_commands WHERE error_code = 'owner_unreachable' AND taken_by = 'node-a'"))
                .isEqualTo(1);
        ApiClient.Response later = a.get("/api/connections/pb/contacts/check?phone=923009990003");
        assertThat(later.status()).as(later.raw()).isEqualTo(200);
        assertThat(onB.executed()).isEqualTo(before + 1);
    }

    /**
     * {@code AUTH_STORE=files}: both nodes share SESSIONS_DIR and were accepted (each sees the
     * other's marker); a third node with a folder of its own refuses to start, and says why.
     */
    @Test
    @Order(7)
    void aFilesNodeWithoutTheSharedSessionsDirIsRefused() {
        assertThat(a.bean(SharedSessions.class).refusal(root.resolve("sessions"))).isEmpty();
        assertThat(b.bean(SharedSessions.class).refusal(root.resolve("sessions"))).isEmpty();
        assertThat(a.count("SELECT count(*) FROM nodes WHERE auth_store = 'files' AND sessions_token IS NOT NULL")).isEqualTo(2);
        assertThat(b.bean(SharedSessions.class).refusal(root.resolve("elsewhere")).orElseThrow())
                .contains("node-a", "SESSIONS_DIR");

        assertThatThrownBy(() -> GatewayHarness.start(node("node-c", root.resolve("own-sessions"))))
                .hasStackTraceContaining("needs one SESSIONS_DIR shared by all of them");
        assertThat(a.count("SELECT count(*) FROM nodes WHERE node_id = 'node-c'")).isZero();
        // the cluster is untouched
        assertThat(a.get("/api/connections/pb").json().path("status").asString()).isEqualTo("ready");
    }

    /**
     * A delete through node A of a connection node B runs, while B is frozen (no renewals, so it
     * ignores the stop): the session is removed and the row deleted only after B closed its
     * socket (its overdue guard, at two thirds of the TTL), so the account is offline when the
     * delete answers. Before, A removed the session at once while B's socket still ran.
     */
    @Test
    @Order(8)
    void aDeleteThroughNodeAAnswersOnceTheOwnersSocketIsClosed() {
        assertThat(emulator.online("923008880002")).as("pb is logged in on node B").isTrue();
        ConnectionLeases onB = b.bean(ConnectionLeases.class);
        assertThat(onB.owns("pb")).isTrue();
        onB.renewals(false);
        ApiClient.Response r;
        try {
            r = a.delete("/api/connections/pb");
            assertThat(emulator.online("923008880002")).as("pb's socket on node B closed before the delete answered").isFalse();
        } finally {
            onB.renewals(true);
        }
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("deleted").asBoolean()).isTrue();
        assertThat(onB.owns("pb")).isFalse();
        assertThat(Files.exists(root.resolve("sessions").resolve("pb"))).isFalse();
        assertThat(a.count("SELECT count(*) FROM connections WHERE connection_id = 'pb'")).isZero();
        assertThat(emulator.stats().path("replaced").asInt()).isZero();
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        ClusterIntegrationTest.await(condition, LONG, what);
    }
}
