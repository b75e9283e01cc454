package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Every DisconnectReason code the simulated server can send leads to the state of the policy
 * table (ARCHITECTURE.md), through the real engine process and real PostgreSQL.
 */
class DisconnectPolicyIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("drop"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** Transient closes: reconnecting with attempt and next retry visible, then ready again on its own. */
    @ParameterizedTest
    @ValueSource(ints = {428, 408, 500, 503})
    void transientClosesReconnectWithBackoff(int code) {
        String id = "drop_" + code;
        link(id);
        drop(id, code);
        JsonNode r = gw.awaitStatus(id, "reconnecting", Duration.ofSeconds(5));
        assertThat(r.path("reconnect_attempt").asInt()).isEqualTo(1);
        assertThat(r.hasNonNull("next_retry_at")).isTrue();
        assertThat(r.path("reason").asString()).contains(String.valueOf(code));
        JsonNode back = gw.awaitStatus(id, "ready", Duration.ofSeconds(10));
        assertThat(back.path("reconnect_attempt").asInt()).isZero();
        assertThat(back.path("phone").asString()).isEqualTo("923000000" + code);
    }

    /** 515 restartRequired: restarted at once, no backoff, not counted as a failure. */
    @Test
    void restartRequiredRestartsImmediately() {
        String id = "drop_515";
        link(id);
        java.time.Instant before = java.time.Instant.parse(
                gw.get("/api/whatsapp-web/status/" + id).json().path("status_changed_at").asString());
        drop(id, 515);
        JsonNode back = gw.awaitStatus(id, s -> "ready".equals(s.path("status").asString())
                && java.time.Instant.parse(s.path("status_changed_at").asString()).isAfter(before),
                Duration.ofSeconds(5));
        assertThat(back.path("reconnect_attempt").asInt()).isZero();
    }

    /** 401 loggedOut and 411: logged_out, session folder removed, not restarted. */
    @ParameterizedTest
    @CsvSource({"401, logged_out", "411, multidevice_mismatch"})
    void loggedOutRemovesTheSession(int code, String reason) {
        String id = "drop_" + code;
        link(id);
        drop(id, code);
        JsonNode s = gw.awaitStatus(id, "logged_out", Duration.ofSeconds(5));
        assertThat(s.path("reason").asString()).isEqualTo(reason);
        assertThat(s.path("has_session").asBoolean()).isFalse();
        long deadline = System.currentTimeMillis() + 5000;
        while (Files.exists(gw.sessionDir(id)) && System.currentTimeMillis() < deadline) {
            GatewayHarness.sleep(50);
        }
        assertThat(Files.exists(gw.sessionDir(id))).isFalse();
        assertThat(gw.assertNothingRestarts(id).path("status").asString()).isEqualTo("logged_out");
    }

    /** 440 replaced and 403 forbidden: error with the reason, no fight loop, session kept. */
    @ParameterizedTest
    @CsvSource({"440, replaced", "403, forbidden"})
    void replacedAndForbiddenStopWithAnError(int code, String reason) {
        String id = "drop_" + code;
        link(id);
        drop(id, code);
        JsonNode s = gw.awaitStatus(id, "error", Duration.ofSeconds(5));
        assertThat(s.path("reason").asString()).isEqualTo(reason);
        JsonNode later = gw.assertNothingRestarts(id);
        assertThat(later.path("status").asString()).isEqualTo("error");
        assertThat(later.path("reconnect_attempt").asInt()).isZero();
        assertThat(gw.sessionDir(id).resolve("creds.json")).exists();
    }

    private static void link(String id) {
        assertThat(gw.get("/api/get-qr/" + id).json().path("status").asString()).isEqualTo("qr_ready");
        String phone = "923000000" + id.substring(id.indexOf('_') + 1);
        assertThat(gw.post("/api/sandbox/" + id + "/scan", "{\"phone\":\"" + phone + "\"}").status()).isEqualTo(200);
        gw.awaitStatus(id, "ready", Duration.ofSeconds(10));
    }

    private static void drop(String id, int code) {
        ApiClient.Response r = gw.post("/api/sandbox/" + id + "/drop", "{\"code\":" + code + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }
}
