package com.wagateway.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Linking with a pairing code through the real engine (the real Baileys socket against the
 * emulator) and real PostgreSQL: the code, the simulated phone typing it (a wrong one first),
 * the QR link's states and webhooks, the session surviving a restart without a QR; and the
 * refusals (bad phone, already linked, expired code, no code asked, someone else's connection)
 * changing nothing.
 */
class PairingCodeIntegrationTest {

    static final String PHONE = "923001234567";

    @Test
    void linkWithAPairingCodeEndToEndThenRestartWithoutAQr() {
        Path data = GatewayHarness.tempDataDir("pairing-code");
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            java.util.Map<String, String> settings = GatewayHarness.defaults(data);
            // a code lives as long as the link attempt (its QR refs): minutes, as for a person, not
            // the harness' ~7 s, which a loaded machine can spend between asking and typing
            settings.put("gateway.engine.sandbox.qr-first", "60s");
            settings.put("gateway.engine.sandbox.qr-next", "20s");
            try (GatewayHarness gw = GatewayHarness.start(settings)) {
                assertThat(gw.post("/api/connections", "{\"connection_id\":\"pc_main\"}").status()).isEqualTo(201);
                assertThat(gw.admin().put("/api/connections/pc_main/webhook",
                        "{\"url\":\"" + rx.url() + "\",\"events\":[\"connection.status\"]}").status()).isEqualTo(200);

                // bad input: a clear 400, and the connection was not even started
                ApiClient.Response bad = gw.post("/api/connections/pc_main/pairing-code", "{\"phone\":\"0300-1234567\"}");
                assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
                assertThat(bad.json().path("error").path("code").asString()).isEqualTo("invalid_phone");
                assertThat(bad.json().path("error").path("field").asString()).isEqualTo("phone");
                assertThat(gw.post("/api/connections/pc_main/pairing-code", "{}").status()).isEqualTo(400);
                JsonNode untouched = gw.get("/api/connections/pc_main").json();
                assertThat(untouched.path("status").asString()).isEqualTo("disconnected");

                // someone else's connection is the unknown connection's 404, and stays untouched
                ApiClient bob = gw.withKey(gw.newUserKey("bob@example.com"));
                ApiClient.Response foreign = bob.post("/api/connections/pc_main/pairing-code", "{\"phone\":\"" + PHONE + "\"}");
                assertThat(foreign.status()).as(foreign.raw()).isEqualTo(404);
                assertThat(foreign.json().path("error").path("code").asString()).isEqualTo("connection_not_found");
                assertThat(bob.post("/api/sandbox/pc_main/pair", "{\"code\":\"ABCD-EFGH\"}").status()).isEqualTo(404);

                List<String> statuses = gw.recordStatuses("pc_main");
                ApiClient.Response asked = gw.post("/api/connections/pc_main/pairing-code", "{\"phone\":\"+92 300 1234567\"}");
                assertThat(asked.status()).as(asked.raw()).isEqualTo(200);
                String first = asked.json().path("code").asString();
                assertThat(first).matches("[A-Z0-9]{4}-[A-Z0-9]{4}");
                assertThat(asked.json().path("phone").asString()).isEqualTo(PHONE);
                assertThat(Instant.parse(asked.json().path("expires_at").asString())).isAfter(Instant.now());
                assertThat(gw.get("/api/connections/pc_main").json().path("status").asString()).isEqualTo("qr_ready");
                // a page reloaded during linking reads the code back; nobody else can
                assertThat(gw.get("/api/connections/pc_main/pairing-code").json().path("code").asString()).isEqualTo(first);
                assertThat(bob.get("/api/connections/pc_main/pairing-code").status()).isEqualTo(404);

                // two requests at once: each gets a code, the newer replaces the older on the socket,
                // and the code kept (and read back) is the one answered last
                java.util.List<String> answered = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.concurrent.CompletableFuture<?>[] both = java.util.stream.IntStream.range(0, 2)
                        .mapToObj(i -> java.util.concurrent.CompletableFuture.runAsync(() -> {
                            ApiClient.Response r = gw.post("/api/connections/pc_main/pairing-code", "{\"phone\":\"" + PHONE + "\"}");
                            assertThat(r.status()).as(r.raw()).isEqualTo(200);
                            answered.add(r.json().path("code").asString());
                        })).toArray(java.util.concurrent.CompletableFuture[]::new);
                java.util.concurrent.CompletableFuture.allOf(both).join();
                String code = gw.get("/api/connections/pc_main/pairing-code").json().path("code").asString();
                assertThat(code).isEqualTo(answered.get(1));

                // the phone types a wrong code: refused visibly, nothing linked, the right code still works
                String wrong = (code.charAt(0) == 'A' ? "B" : "A") + code.substring(1);
                ApiClient.Response refused = gw.post("/api/sandbox/pc_main/pair", "{\"code\":\"" + wrong + "\"}");
                assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
                assertThat(refused.json().path("error").path("code").asString()).isEqualTo("pairing_code_rejected");
                assertThat(gw.get("/api/connections/pc_main").json().path("status").asString()).isEqualTo("qr_ready");
                assertThat(gw.post("/api/sandbox/pc_main/pair", "{\"code\":\"not a code\"}").status()).isEqualTo(400);

                ApiClient.Response paired = gw.post("/api/sandbox/pc_main/pair", "{\"code\":\"" + code.toLowerCase() + "\"}");
                assertThat(paired.status()).as(paired.raw()).isEqualTo(200);
                JsonNode ready = gw.awaitStatus("pc_main", "ready", Duration.ofSeconds(20));
                assertThat(ready.path("phone").asString()).isEqualTo(PHONE);
                GatewayHarness.awaitRecorded(statuses, "ready", Duration.ofSeconds(10));
                assertThat(statuses).containsSubsequence("initializing", "qr_ready", "authenticated", "ready");
                assertThat(gw.count("SELECT count(*) FROM pairing_codes WHERE connection_id = ?", "pc_main")).isZero();
                ApiClient.Response gone = gw.get("/api/connections/pc_main/pairing-code");
                assertThat(gone.status()).as(gone.raw()).isEqualTo(404);
                assertThat(gone.json().path("error").path("code").asString()).isEqualTo("no_pairing_code");

                // linked: no second code, and the phone cannot type one in
                ApiClient.Response again = gw.post("/api/connections/pc_main/pairing-code", "{\"phone\":\"" + PHONE + "\"}");
                assertThat(again.status()).as(again.raw()).isEqualTo(409);
                assertThat(again.json().path("error").path("code").asString()).isEqualTo("already_linked");
                assertThat(gw.post("/api/sandbox/pc_main/pair", "{\"code\":\"" + code + "\"}").json()
                        .path("error").path("code").asString()).isEqualTo("already_linked");
                assertThat(gw.get("/api/connections/pc_main").json().path("status").asString()).isEqualTo("ready");

                // webhooks heard the QR link's states
                List<String> hooks = rx.await(l -> l.stream().anyMatch(r -> "ready".equals(r.json().path("status").asString())),
                        Duration.ofSeconds(10)).stream().map(r -> r.json().path("status").asString()).toList();
                assertThat(hooks).containsSubsequence("qr_ready", "authenticated", "ready");
            }
            try (GatewayHarness gw = GatewayHarness.start(data)) {
                JsonNode s = gw.awaitStatus("pc_main", st -> {
                    assertThat(st.path("status").asString()).as("no QR for a session linked by code").isNotEqualTo("qr_ready");
                    return "ready".equals(st.path("status").asString());
                }, Duration.ofSeconds(30));
                assertThat(s.path("phone").asString()).isEqualTo(PHONE);
            }
        }
    }

    @Test
    void anExpiredCodeAndAMissingCodeAreRefused() {
        try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.tempDataDir("pairing-expired"))) {
            assertThat(gw.post("/api/connections", "{\"connection_id\":\"pc_old\"}").status()).isEqualTo(201);
            ApiClient.Response asked = gw.post("/api/connections/pc_old/pairing-code", "{\"phone\":\"923001230000\"}");
            assertThat(asked.status()).as(asked.raw()).isEqualTo(200);
            String code = asked.json().path("code").asString();
            // the registration's QR refs run out (3 s + 2 × 2 s in tests): the code dies with them
            JsonNode over = gw.awaitStatus("pc_old", "disconnected", Duration.ofSeconds(30));
            assertThat(over.path("reason").asString()).isEqualTo("qr_timeout");
            ApiClient.Response expired = gw.post("/api/sandbox/pc_old/pair", "{\"code\":\"" + code + "\"}");
            assertThat(expired.status()).as(expired.raw()).isEqualTo(410);
            assertThat(expired.json().path("error").path("code").asString()).isEqualTo("pairing_code_expired");
            assertThat(gw.get("/api/connections/pc_old").json().path("status").asString()).isEqualTo("disconnected");

            assertThat(gw.get("/api/get-qr/pc_none").json().path("status").asString()).isEqualTo("qr_ready");
            ApiClient.Response none = gw.post("/api/sandbox/pc_none/pair", "{\"code\":\"ABCD-EFGH\"}");
            assertThat(none.status()).as(none.raw()).isEqualTo(409);
            assertThat(none.json().path("error").path("code").asString()).isEqualTo("no_pairing_code");
            assertThat(gw.get("/api/connections/pc_none").json().path("status").asString()).isEqualTo("qr_ready");
        }
    }
}
