package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.RawWebSocketListener;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The real Baileys socket factory up to the network boundary (WhatsApp is unreachable here):
 * it dials the configured WebSocket with Baileys' Noise intro, creates creds.json through
 * useMultiFileAuthState, and the connection shows a clear status instead of hanging.
 */
class RealBaileysEngineIntegrationTest {

    private static final Set<String> CLEAR = Set.of("reconnecting", "error");

    @Test
    void dialsTheListenerWithTheNoiseIntroAndReportsTheClose() throws Exception {
        try (RawWebSocketListener ws = new RawWebSocketListener()) {
            Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("baileys"));
            settings.put("gateway.engine.mode", "baileys");
            settings.put("gateway.engine.wa-web-socket-url", ws.url());
            settings.put("gateway.engine.connect-timeout", "5s");
            settings.put("gateway.lifecycle.qr-wait", "3s");
            settings.put("gateway.lifecycle.reconnect-base", "2s");
            try (GatewayHarness gw = GatewayHarness.start(settings)) {
                ApiClient.Response r = gw.get("/api/get-qr/real_one");
                assertThat(r.status()).isEqualTo(200);
                JsonNode s = gw.awaitStatus("real_one", st -> CLEAR.contains(st.path("status").asString()), Duration.ofSeconds(20));
                assertThat(s.path("reason").asString()).isNotBlank();
                assertThat(ws.firstFrames()).isNotEmpty();
                byte[] first = ws.firstFrames().get(0);
                assertThat(first.length).isGreaterThan(4);
                assertThat(new String(first, 0, 2, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("WA");
                assertThat(ws.requestLines().get(0)).startsWith("GET /ws/chat");
                assertThat(gw.sessionDir("real_one").resolve("creds.json")).exists();
                // the sandbox phone does not exist in baileys mode
                assertThat(gw.post("/api/sandbox/real_one/scan", "{\"phone\":\"923001234567\"}").status()).isEqualTo(404);
                gw.post("/api/whatsapp-web/disconnect", "{\"connection_id\":\"real_one\"}");
            }
        }
    }

    @Test
    void withoutNetworkTheStatusIsClearNotStuck() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("offline"));
        settings.put("gateway.engine.mode", "baileys");
        settings.put("gateway.engine.connect-timeout", "5s");
        settings.put("gateway.lifecycle.qr-wait", "2s");
        settings.put("gateway.lifecycle.reconnect-base", "5s");
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            gw.get("/api/get-qr/offline_one");
            JsonNode s = gw.awaitStatus("offline_one", st -> CLEAR.contains(st.path("status").asString()), Duration.ofSeconds(30));
            assertThat(s.path("reason").asString()).isNotBlank();
            assertThat(gw.sessionDir("offline_one").resolve("creds.json")).exists();
            gw.post("/api/whatsapp-web/disconnect", "{\"connection_id\":\"offline_one\"}");
        }
    }
}
