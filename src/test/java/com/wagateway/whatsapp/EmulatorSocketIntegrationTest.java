package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The sandbox runs the real Baileys socket against the emulated WhatsApp the engine starts itself, persisted in
 * {@code DATA_DIR/emulator}, so a linked session survives a whole-gateway restart without a QR;
 * after a scan, a send and an inbound the session folder holds what real Baileys writes.
 */
class EmulatorSocketIntegrationTest {

    @Test
    void linkedThroughTheRealSocketAndBackWithoutAQrAfterAGatewayRestart() throws Exception {
        Path data = GatewayHarness.tempDataDir("emulator-socket");
        Map<String, String> settings = GatewayHarness.defaults(data);
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            RestartIntegrationTest.link(gw, "emu_a", "923333333331");
            JsonNode ready = gw.get("/api/whatsapp-web/status/emu_a").json();
            assertThat(ready.path("phone").asString()).isEqualTo("923333333331");
            // what real Baileys writes after a pairing and a login: creds with me, uploaded prekeys
            assertThat(Files.readString(gw.sessionDir("emu_a").resolve("creds.json"))).contains("923333333331:1@s.whatsapp.net");
            try (var files = Files.list(gw.sessionDir("emu_a"))) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("pre-key-\\d+\\.json"));
            }
            // a send (Signal session with the contact, pkmsg) and an inbound from another contact
            assertThat(gw.post("/api/send-message", "{\"connection_id\":\"emu_a\",\"to\":\"923004440001\","
                    + "\"message\":\"hello\",\"client_message_id\":\"emu-send-1\"}").status()).isEqualTo(200);
            assertThat(gw.post("/api/sandbox/emu_a/inbound",
                    "{\"from\":\"923004440002\",\"message\":\"hi back\",\"type\":\"text\"}").status()).isEqualTo(200);
            awaitCount(gw, "select count(*) from messages where connection_id = 'emu_a' and client_message_id = 'emu-send-1'"
                    + " and status in ('sent', 'delivered', 'read')");
            awaitCount(gw, "select count(*) from messages where connection_id = 'emu_a' and direction = 'inbound'"
                    + " and body = 'hi back' and from_phone = '923004440002'");
            // Baileys 7 keeps Signal sessions by LID: each contact's phone maps to a LID with a session file
            for (String phone : new String[] {"923004440001", "923004440002"}) {
                Path mapping = gw.sessionDir("emu_a").resolve("lid-mapping-" + phone + ".json");
                String lid = GatewayHarness.JSON.readTree(Files.readString(mapping)).asString();
                assertThat(lid).as("LID of " + phone).matches("\\d+");
                try (var files = Files.list(gw.sessionDir("emu_a"))) {
                    assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("session-" + lid + "_"));
                }
            }
            Path state = data.resolve("emulator").resolve("state.json");
            assertThat(state).exists();
            assertThat(Files.getPosixFilePermissions(state))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            gw.awaitStatus("emu_a", st -> {
                assertThat(st.path("status").asString()).as("no QR for a linked session").isNotEqualTo("qr_ready");
                return "ready".equals(st.path("status").asString());
            }, Duration.ofSeconds(30));
            // 401 from the emulator: the phone removed this device
            assertThat(gw.post("/api/sandbox/emu_a/drop", "{\"code\":401}").status()).isEqualTo(200);
            JsonNode out = gw.awaitStatus("emu_a", "logged_out", Duration.ofSeconds(15));
            assertThat(out.path("status").asString()).isEqualTo("logged_out");
        }
    }

    /** Waits until the count query answers 1 (a positive signal, 20 s at most). */
    private static void awaitCount(GatewayHarness gw, String sql) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gw.count(sql) != 1) {
            assertThat(System.nanoTime()).as("waiting for: " + sql).isLessThan(deadline);
            GatewayHarness.sleep(50);
        }
    }
}
