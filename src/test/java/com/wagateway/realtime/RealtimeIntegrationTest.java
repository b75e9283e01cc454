package com.wagateway.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Socket.IO server through the real gateway (sandbox engine, embedded PostgreSQL): the token
 * endpoint over HTTP here, the handshake and event routing with socket.io-client 4.8 in
 * {@code frontend/e2e/socket-auth.mjs}.
 */
class RealtimeIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("realtime"));
        settings.put("gateway.realtime.recheck", "300ms");
        gw = GatewayHarness.start(settings);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** Creates a user and returns an API key of theirs. */
    static String userWithKey(String email) {
        assertThat(gw.post("/api/users", "{\"email\":\"" + email + "\",\"password\":\"password-" + email + "\",\"role\":\"user\"}").status())
                .isEqualTo(201);
        ApiClient browser = gw.browser(true).login(email, "password-" + email);
        ApiClient.Response key = browser.post("/api/api-keys", "{\"name\":\"rt\"}");
        assertThat(key.status()).isEqualTo(201);
        return key.json().path("key").asString();
    }

    @Test
    void tokenNeedsAuthenticationAndCsrfForCookies() {
        assertThat(gw.anonymous().post("/api/realtime/token", "{}").status()).isIn(401, 403);
        assertThat(gw.withKey("wag_wrong").post("/api/realtime/token", "{}").status()).isEqualTo(401);
        assertThat(gw.post("/api/users", "{\"email\":\"carol@example.com\",\"password\":\"password-carol\",\"role\":\"user\"}").status())
                .isEqualTo(201);
        assertThat(gw.browser(false).login("carol@example.com", "password-carol").post("/api/realtime/token", "{}").status())
                .isEqualTo(403);
        ApiClient.Response ok = gw.browser(true).login("carol@example.com", "password-carol").post("/api/realtime/token", "{}");
        assertThat(ok.status()).isEqualTo(200);
        JsonNode t = ok.json();
        assertThat(t.path("token").asString()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(t.path("namespace").asString()).isEqualTo("/realtime");
        assertThat(t.path("port").asInt()).isEqualTo(gw.realtimePort());
        assertThat(t.path("expires_at").asString()).endsWith("Z");
        assertThat(t.has("url")).isTrue();
    }

    @Test
    void infoTellsTheEngineMode() {
        JsonNode info = gw.get("/api/info").json();
        assertThat(info.path("engine_mode").asString()).isEqualTo("sandbox");
        assertThat(info.path("realtime_enabled").asBoolean()).isTrue();
    }

    @Test
    void socketIoClientsGetOnlyTheirOwnEvents() {
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages are not installed (run the Maven build)").isTrue();
        String keyA = userWithKey("alice@example.com");
        String keyB = userWithKey("bob@example.com");
        assertThat(gw.withKey(keyA).post("/api/connections", "{\"connection_id\":\"rt_alice\"}").status()).isEqualTo(201);
        assertThat(gw.withKey(keyB).post("/api/connections", "{\"connection_id\":\"rt_bob\"}").status()).isEqualTo(201);
        NodeScript.Result r = NodeScript.run("e2e/socket-auth.mjs", Map.of(
                "BASE_URL", gw.baseUrl(),
                "RT_URL", "http://127.0.0.1:" + gw.realtimePort(),
                "KEY_A", keyA,
                "KEY_B", keyB,
                "KEY_ADMIN", GatewayHarness.ADMIN_KEY,
                "EMAIL_A", "alice@example.com"), Duration.ofMinutes(2));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("0 failed");
    }
}
