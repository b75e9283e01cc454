package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wagateway.services.PostgresAuthStore;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.PostgresAuth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * AUTH_STORE=postgres end to end (issue 17 part 2): the real engine and Baileys socket against the
 * emulator, embedded PostgreSQL, the session only in the database, encrypted.
 */
class PostgresAuthStoreIntegrationTest {

    @Test
    void aLinkedSessionLivesEncryptedInPostgresAndSurvivesARestartWithoutAQr() {
        Path data = GatewayHarness.tempDataDir("pgauth");
        String id = "pgauth_a";
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.KEY))) {
            gw.link(id, "923441110001", Duration.ofSeconds(60));
            assertThat(gw.sessionDir(id)).as("no session folder with AUTH_STORE=postgres").doesNotExist();
            assertThat(gw.count("SELECT count(*) FROM auth_keys WHERE connection_id = ? AND key_type = 'creds'", id)).isEqualTo(1);
            assertThat(gw.count("SELECT count(*) FROM auth_keys WHERE connection_id = ? AND key_type = 'pre-key'", id)).isPositive();
            assertNoPlaintextKeyMaterial(gw, id);
        }
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.KEY))) {
            JsonNode s = gw.awaitStatus(id, st -> {
                assertThat(st.path("status").asString()).as("no QR for a session kept in PostgreSQL").isNotEqualTo("qr_ready");
                return "ready".equals(st.path("status").asString());
            }, Duration.ofSeconds(60));
            assertThat(s.path("phone").asString()).isEqualTo("923441110001");
            // the Signal state read back from PostgreSQL encrypts a message the contact decrypts
            ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"" + id
                    + "\",\"to\":\"923001112233\",\"message\":\"after restart\",\"client_message_id\":\"pg-1\"}");
            assertThat(r.status()).as(r.raw()).isIn(200, 202);
            JsonNode m = gw.awaitMessage(id, "pg-1", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(60));
            assertThat(m.path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
            assertThat(gw.awaitSandboxSentContent(id, m.path("provider_message_id").asString()).path("text").asString())
                    .isEqualTo("after restart");

            // logout removes the session from PostgreSQL, as it removes the folder with files
            assertThat(gw.post("/api/connections/" + id + "/logout", "{}").status()).isEqualTo(200);
            assertThat(gw.count("SELECT count(*) FROM auth_keys WHERE connection_id = ?", id)).isZero();
        }
    }

    @Test
    void aKeySetIsInPostgresOnceItReturnedEvenIfTheEngineIsKilledRightAfter() {
        String id = "pgauth_d";
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(GatewayHarness.tempDataDir("pgdurable"), PostgresAuth.KEY))) {
            gw.link(id, "923441110002", Duration.ofSeconds(60));
            RawEngineCommands engine = gw.bean(RawEngineCommands.class);
            List<java.util.concurrent.CompletableFuture<JsonNode>> sets = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // issued together: they share saves, and each returns only once committed
                ObjectNode a = engine.newArgs();
                a.put("type", "sender-key-memory");
                a.put("id", "durable-" + i + "@g.us");
                a.putObject("value").put("92300111223" + i + "@s.whatsapp.net", true);
                sets.add(engine.sandbox("authSet", id, a));
            }
            JsonNode last = null;
            for (var f : sets) {
                last = f.join();
            }
            assertThat(last.path("set").asBoolean()).isTrue();
            long pid = gw.bean(EngineSupervisor.class).pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9 right after the sets returned
            PostgresAuthStore store = gw.bean(PostgresAuthStore.class);
            for (int i = 0; i < 5; i++) {
                Map<String, String> found = store.loadKeys(id, "sender-key-memory", List.of("durable-" + i + "@g.us"));
                assertThat(found).as("set %d", i).containsKey("durable-" + i + "@g.us");
                assertThat(GatewayHarness.JSON.readTree(found.get("durable-" + i + "@g.us"))
                        .path("92300111223" + i + "@s.whatsapp.net").asBoolean()).isTrue();
            }
            // deleting the connection takes its auth rows with it
            assertThat(gw.delete("/api/connections/" + id).status()).isIn(200, 204);
            assertThat(gw.count("SELECT count(*) FROM auth_keys WHERE connection_id = ?", id)).isZero();
        }
    }

    /**
     * Fencing (issue 17): a save lands only while this node's lease still names it with its epoch.
     * Once another node took the connection over (the epoch moved on), a save from this node (a
     * resumed JVM's queued writes) is refused as {@code fenced} and writes nothing, so the new
     * owner's Signal state is never overwritten with an older one.
     */
    @Test
    void aSaveFromANodeThatLostTheLeaseIsRefusedAndWritesNothing() {
        String id = "pgauth_f";
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(GatewayHarness.tempDataDir("pgfence"), PostgresAuth.KEY))) {
            gw.link(id, "923441110003", Duration.ofSeconds(60));
            PostgresAuthStore store = gw.bean(PostgresAuthStore.class);
            tools.jackson.databind.json.JsonMapper json = GatewayHarness.JSON;
            ObjectNode save = json.createObjectNode();
            save.putArray("keys").addObject().put("type", "sender-key-memory").put("id", "before@g.us").put("value", "{}");
            assertThat(AuthRequests.answer(store, "auth.save", id, save, json).path("saved").asInt()).as("the owner's save").isEqualTo(1);

            gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                    .sql("UPDATE connection_leases SET owner_node = 'node-elsewhere', epoch = epoch + 1 WHERE connection_id = ?")
                    .param(id).update();
            ObjectNode late = json.createObjectNode();
            late.put("creds", "{\"stale\":true}");
            late.putArray("keys").addObject().put("type", "sender-key-memory").put("id", "after@g.us").put("value", "{}");
            JsonNode refused = AuthRequests.answer(store, "auth.save", id, late, json);
            assertThat(refused.path("error").path("code").asString()).as(refused.toString()).isEqualTo("fenced");
            assertThat(store.loadKeys(id, "sender-key-memory", List.of("before@g.us", "after@g.us"))).containsOnlyKeys("before@g.us");
            assertThat(store.loadCreds(id)).doesNotContain("stale");
        }
    }

    @Test
    void aWrongOrMissingEncryptionKeyRefusesToStart() {
        Path data = GatewayHarness.tempDataDir("pgkey");
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.KEY))) {
            assertThat(gw.count("SELECT count(*) FROM auth_key_check")).isEqualTo(1);
        }
        assertThatThrownBy(() -> GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.OTHER_KEY)).close())
                .hasRootCauseMessage("AUTH_ENCRYPTION_KEY is not the key the stored sessions were encrypted with; "
                        + "start with the original key (sessions cannot be read with another one)");
        assertThatThrownBy(() -> GatewayHarness.start(PostgresAuth.settings(data, "")).close())
                .rootCause().hasMessageStartingWith("AUTH_STORE=postgres needs AUTH_ENCRYPTION_KEY: AUTH_ENCRYPTION_KEY is not set");
        // the right key still starts: the refusals changed nothing
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.KEY))) {
            assertThat(gw.bean(PostgresAuthStore.class).active()).isTrue();
        }
    }

    /**
     * The creds' private keys (noise, identity, signed pre-key) and the ADV secret appear in no
     * stored row: not as raw bytes, not as base64, not as hex.
     */
    private static void assertNoPlaintextKeyMaterial(GatewayHarness gw, String id) {
        JsonNode creds = GatewayHarness.JSON.readTree(gw.bean(PostgresAuthStore.class).loadCreds(id));
        List<byte[]> secrets = new ArrayList<>();
        for (JsonNode k : new JsonNode[] {creds.path("noiseKey").path("private"), creds.path("signedIdentityKey").path("private"),
                creds.path("signedPreKey").path("keyPair").path("private")}) {
            assertThat(k.path("type").asString()).isEqualTo("Buffer");
            secrets.add(Base64.getDecoder().decode(k.path("data").asString()));
        }
        secrets.add(Base64.getDecoder().decode(creds.path("advSecretKey").asString()));
        List<byte[]> rows = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("SELECT value FROM auth_keys").query(byte[].class).list();
        assertThat(rows).hasSizeGreaterThan(1);
        for (byte[] secret : secrets) {
            assertThat(secret).hasSize(32);
            List<byte[]> forms = List.of(secret, Base64.getEncoder().encode(secret),
                    HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
            for (byte[] row : rows) {
                for (byte[] form : forms) {
                    assertThat(indexOf(row, form)).as("key material in a stored row").isEqualTo(-1);
                }
            }
        }
        assertThat(Files.exists(gw.dataDir().resolve("sessions").resolve(id).resolve("creds.json"))).isFalse();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
