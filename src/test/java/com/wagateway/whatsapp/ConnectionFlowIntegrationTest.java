package com.wagateway.whatsapp;

import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.services.ConnectionStateMachine;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ConnectionTransitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.QrDecoder;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The QR connection flow end to end: real engine process (sandbox), real PostgreSQL.
 * Sandbox QR refs live 3 s (first) / 2 s (next), 3 refs in total.
 */
class ConnectionFlowIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("flow"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void getQrReturnsAQrThatDecodesToTheRawString() {
        ApiClient.Response r = gw.get("/api/get-qr/flow_qr");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode j = r.json();
        assertThat(j.path("connection_id").asString()).isEqualTo("flow_qr");
        assertThat(j.path("status").asString()).isEqualTo("qr_ready");
        String qr = j.path("qr").asString();
        assertThat(qr).isNotBlank();
        assertThat(j.path("qr_image").asString()).startsWith("data:image/png;base64,");
        assertThat(QrDecoder.decode(j.path("qr_image").asString())).isEqualTo(qr);
        assertThat(j.hasNonNull("qr_expires_at")).isTrue();
        assertThat(j.path("phone").isNull()).isTrue();
        // the same QR is served by the connection-flow seed's endpoint
        assertThat(gw.get("/api/whatsapp-web/qr/flow_qr").json().path("qr").asString()).isEqualTo(qr);
        // a session folder exists with creds.json written through useMultiFileAuthState
        assertThat(gw.sessionDir("flow_qr").resolve("creds.json")).exists();
    }

    @Test
    void scanLinksThePhoneThroughAuthenticatedToReady() {
        java.util.List<String> seen = gw.recordStatuses("flow_scan");
        gw.get("/api/get-qr/flow_scan");
        ApiClient.Response scan = gw.post("/api/sandbox/flow_scan/scan", "{\"phone\":\"+92 300-1234567\"}");
        assertThat(scan.status()).isEqualTo(200);
        JsonNode ready = gw.awaitStatus("flow_scan", "ready", Duration.ofSeconds(10));
        assertThat(ready.path("phone").asString()).isEqualTo("923001234567");
        assertThat(ready.hasNonNull("connected_at")).isTrue();
        assertThat(ready.path("reconnect_attempt").asInt()).isZero();
        GatewayHarness.awaitRecorded(seen, "ready", Duration.ofSeconds(10));
        assertThat(seen).containsSubsequence("initializing", "qr_ready", "authenticated", "ready");
        assertThat(seen.subList(seen.indexOf("authenticated"), seen.size())).doesNotContain("qr_ready", "reconnecting");
        JsonNode qr = gw.get("/api/get-qr/flow_scan").json();
        assertThat(qr.path("status").asString()).isEqualTo("ready");
        assertThat(qr.path("qr").isNull()).isTrue();
        assertThat(qr.path("qr_image").isNull()).isTrue();
        assertThat(qr.path("phone").asString()).isEqualTo("923001234567");
    }

    @Test
    void theQrRotatesAfterItExpires() {
        String first = gw.get("/api/get-qr/flow_rotate").json().path("qr").asString();
        JsonNode next = gw.awaitStatus("flow_rotate", s -> true, Duration.ofSeconds(1));
        assertThat(next.path("status").asString()).isEqualTo("qr_ready");
        long deadline = System.currentTimeMillis() + 6000;
        String second = first;
        while (second.equals(first) && System.currentTimeMillis() < deadline) {
            GatewayHarness.sleep(100);
            second = gw.get("/api/whatsapp-web/qr/flow_rotate").json().path("qr").asString("");
        }
        assertThat(second).isNotBlank().isNotEqualTo(first);
    }

    @Test
    void nobodyScanningEndsInQrTimeoutNotAnEndlessLoop() {
        gw.get("/api/get-qr/flow_timeout");
        // 3 s + 2 s + 2 s of refs, then Baileys' 408
        JsonNode s = gw.awaitStatus("flow_timeout", "disconnected", Duration.ofSeconds(15));
        assertThat(s.path("reason").asString()).isEqualTo("qr_timeout");
        assertThat(s.path("wanted_running").asBoolean()).isFalse();
        assertThat(gw.assertNothingRestarts("flow_timeout").path("status").asString()).isEqualTo("disconnected");
        // clicking Connect again shows a new QR
        assertThat(gw.get("/api/get-qr/flow_timeout").json().path("status").asString()).isEqualTo("qr_ready");
    }

    @Test
    void logoutRemovesTheSessionFolderAndNeedsANewQr() {
        linkedConnection("flow_logout", "923330000001");
        assertThat(gw.sessionDir("flow_logout").resolve("creds.json")).exists();
        ApiClient.Response out = gw.post("/api/connections/flow_logout/logout", null);
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.json().path("status").asString()).isEqualTo("logged_out");
        assertThat(Files.exists(gw.sessionDir("flow_logout"))).isFalse();
        assertThat(gw.get("/api/get-qr/flow_logout").json().path("status").asString()).isEqualTo("qr_ready");
    }

    @Test
    void disconnectKeepsTheSessionAndConnectNeedsNoQr() {
        linkedConnection("flow_disc", "923330000002");
        JsonNode d = gw.post("/api/whatsapp-web/disconnect", "{\"tenantId\":\"flow_disc\"}").json();
        assertThat(d.path("status").asString()).isEqualTo("disconnected");
        assertThat(gw.sessionDir("flow_disc").resolve("creds.json")).exists();
        JsonNode c = gw.post("/api/whatsapp-web/connect", "{\"tenantId\":\"flow_disc\"}").json();
        assertThat(c.path("connection_id").asString()).isEqualTo("flow_disc");
        gw.awaitStatus("flow_disc", s -> {
            assertThat(s.path("status").asString()).isNotEqualTo("qr_ready");
            return "ready".equals(s.path("status").asString());
        }, Duration.ofSeconds(10));
    }

    @Test
    void deleteRemovesRowAndFolder() {
        linkedConnection("flow_delete", "923330000003");
        assertThat(gw.delete("/api/connections/flow_delete").status()).isEqualTo(200);
        assertThat(gw.get("/api/whatsapp-web/status/flow_delete").status()).isEqualTo(404);
        assertThat(Files.exists(gw.sessionDir("flow_delete"))).isFalse();
    }

    @Test
    void listingShowsConnections() {
        linkedConnection("flow_list", "923330000004");
        JsonNode all = gw.get("/api/whatsapp-web/connections").json();
        assertThat(all.isArray()).isTrue();
        assertThat(all.valueStream().map(n -> n.path("connection_id").asString())).contains("flow_list");
    }

    @Test
    void healthShowsDatabaseAndEngine() {
        JsonNode h = gw.get("/actuator/health").json();
        assertThat(h.path("status").asString()).isEqualTo("UP");
        assertThat(h.path("components").path("db").path("status").asString()).isEqualTo("UP");
        assertThat(h.path("components").path("engine").path("status").asString()).isEqualTo("UP");
        assertThat(h.path("components").path("engine").path("details").path("mode").asString()).isEqualTo("sandbox");
    }

    /**
     * Every writer goes through the state machine: an illegal transition (a QR for a ready
     * connection) is refused, counted and leaves the row as it was; a decision made from a state
     * the row no longer shows is not stored either (compare-and-set).
     */
    @Test
    void illegalAndStaleTransitionsAreRefusedAndChangeNothing() {
        linkedConnection("flow_guard", "923330000009");
        ConnectionTransitions transitions = gw.bean(ConnectionTransitions.class);
        ConnectionRepository repo = gw.bean(ConnectionRepository.class);
        ConnectionRow ready = repo.find("flow_guard").orElseThrow();
        long refusedBefore = transitions.refusedCount();

        assertThat(transitions.apply(ready, ConnectionStateMachine.Signal.QR,
                ConnectionTransitions.Details.qr("2@bogus", "data:image/png;base64,AA==", java.time.Instant.now()))).isEmpty();
        assertThat(transitions.refusedCount()).isEqualTo(refusedBefore + 1);
        ConnectionRow after = repo.find("flow_guard").orElseThrow();
        assertThat(after.status()).isEqualTo(ConnectionStatus.READY);
        assertThat(after.qr()).isNull();
        assertThat(after.updatedAt()).isEqualTo(ready.updatedAt());

        // a decision taken while the row showed qr_ready does not land on the ready row
        ConnectionRow stale = new ConnectionRow(ready.connectionId(), ready.ownerId(), ConnectionStatus.QR_READY, null,
                ready.phone(), ready.pushName(), ready.jid(), null, null, null, ready.webhookUrl(), ready.sessionDir(),
                true, true, 0, null, ready.connectedAt(), ready.statusChangedAt(), ready.createdAt(), ready.updatedAt(), null);
        assertThat(transitions.apply(stale, ConnectionStateMachine.Signal.CLOSED_TIMED_OUT,
                ConnectionTransitions.Details.none())).isEmpty();
        assertThat(repo.find("flow_guard").orElseThrow().status()).isEqualTo(ConnectionStatus.READY);
        assertThat(transitions.refusedCount()).isEqualTo(refusedBefore + 1);
    }

    static void linkedConnection(String id, String phone) {
        assertThat(gw.get("/api/get-qr/" + id).json().path("status").asString()).isEqualTo("qr_ready");
        assertThat(gw.post("/api/sandbox/" + id + "/scan", "{\"phone\":\"" + phone + "\"}").status()).isEqualTo(200);
        gw.awaitStatus(id, "ready", Duration.ofSeconds(10));
    }
}
