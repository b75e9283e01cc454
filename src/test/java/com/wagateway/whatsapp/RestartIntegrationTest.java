package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Sessions survive a server restart and an engine crash, reaching ready without a QR. */
class RestartIntegrationTest {

    @Test
    void serverRestartRestoresLinkedConnectionsWithoutAQr() {
        Path data = GatewayHarness.tempDataDir("restart");
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            serverRestart(data, rx);
        }
    }

    private static void serverRestart(Path data, WebhookReceiver rx) {
        try (GatewayHarness gw = GatewayHarness.start(data)) {
            link(gw, "restart_a", "923111111111");
            link(gw, "restart_b", "923111111112");
            // a user-disconnected one must stay down, a never-linked one must not start a QR loop
            link(gw, "restart_off", "923111111113");
            gw.post("/api/whatsapp-web/disconnect", "{\"connection_id\":\"restart_off\"}");
            gw.get("/api/get-qr/restart_unlinked");
            for (String id : new String[] {"restart_a", "restart_unlinked"}) {
                assertThat(gw.admin().put("/api/connections/" + id + "/webhook",
                        "{\"url\":\"" + rx.url() + "\",\"events\":[\"connection.status\"]}").status()).isEqualTo(200);
            }
        }
        int before = rx.accepted().size();
        try (GatewayHarness gw = GatewayHarness.start(data)) {
            for (String id : new String[] {"restart_a", "restart_b"}) {
                JsonNode s = gw.awaitStatus(id, st -> {
                    assertThat(st.path("status").asString()).as("no QR for a linked session").isNotEqualTo("qr_ready");
                    return "ready".equals(st.path("status").asString());
                }, Duration.ofSeconds(20));
                assertThat(s.path("phone").asString()).startsWith("92311111111");
            }
            assertThat(gw.assertNothingRestarts("restart_off").path("status").asString()).isEqualTo("disconnected");
            JsonNode unlinked = gw.assertNothingRestarts("restart_unlinked");
            assertThat(unlinked.path("status").asString()).isEqualTo("disconnected");
            assertThat(unlinked.path("reason").asString()).isEqualTo("server_restart");
            // the boot-time corrections are status changes like any other: receivers hear them
            List<JsonNode> after = rx.await(l -> l.size() >= before + 3, Duration.ofSeconds(10)).stream()
                    .skip(before).map(WebhookReceiver.Received::json).toList();
            assertThat(after).anyMatch(j -> "restart_a".equals(j.path("connection_id").asString())
                    && "initializing".equals(j.path("status").asString()) && "restoring".equals(j.path("reason").asString()));
            assertThat(after).anyMatch(j -> "restart_a".equals(j.path("connection_id").asString())
                    && "ready".equals(j.path("status").asString()));
            assertThat(after).anyMatch(j -> "restart_unlinked".equals(j.path("connection_id").asString())
                    && "disconnected".equals(j.path("status").asString()) && "server_restart".equals(j.path("reason").asString()));
        }
    }

    @Test
    void killedEngineIsRestartedAndConnectionsReturnToReady() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.tempDataDir("kill"))) {
            link(gw, "kill_a", "923222222221");
            link(gw, "kill_b", "923222222222");
            EngineSupervisor supervisor = gw.bean(EngineSupervisor.class);
            long pid = supervisor.pid();
            assertThat(pid).isPositive();
            // the statuses published from now on: "ready" must come after the crash's "reconnecting",
            // not be the one shown before the kill
            java.util.List<String> a = gw.recordStatuses("kill_a");
            java.util.List<String> b = gw.recordStatuses("kill_b");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!(readyAfterReconnecting(a) && readyAfterReconnecting(b)) && System.nanoTime() < deadline) {
                GatewayHarness.sleep(50);
            }
            assertThat(a).as("kill_a").contains("reconnecting").doesNotContain("qr_ready").endsWith("ready");
            assertThat(b).as("kill_b").contains("reconnecting").doesNotContain("qr_ready").endsWith("ready");
            assertThat(supervisor.pid()).isPositive().isNotEqualTo(pid);
            assertThat(gw.get("/actuator/health").json().path("components").path("engine").path("status").asString())
                    .isEqualTo("UP");
        }
    }

    static boolean readyAfterReconnecting(java.util.List<String> seen) {
        int r = seen.indexOf("reconnecting");
        return r >= 0 && seen.subList(r, seen.size()).contains("ready");
    }

    static void link(GatewayHarness gw, String id, String phone) {
        assertThat(gw.get("/api/get-qr/" + id).json().path("status").asString()).isEqualTo("qr_ready");
        assertThat(gw.post("/api/sandbox/" + id + "/scan", "{\"phone\":\"" + phone + "\"}").status()).isEqualTo(200);
        gw.awaitStatus(id, "ready", Duration.ofSeconds(10));
    }
}
