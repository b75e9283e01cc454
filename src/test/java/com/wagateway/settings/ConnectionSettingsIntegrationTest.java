package com.wagateway.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.messaging.InboundMessages;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.MappedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Per-connection settings (issue 16 part 5) through the real gateway, the real engine (Baileys
 * against the emulator) and real PostgreSQL: defaults for every connection, changes validated
 * field by field (nothing changed on a bad one), persisted, applied without relinking, removed
 * with the connection, invisible to other users; ignore_groups / ignore_broadcasts in the inbound
 * pipeline; sync_history off; the per-connection pace.
 */
class ConnectionSettingsIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("settings"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static String path(String id) {
        return "/api/connections/" + id + "/settings";
    }

    static JsonNode put(String id, String body) {
        ApiClient.Response r = gw.admin().put(path(id), body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    static void assertError(ApiClient.Response r, int status, String code, String field) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
        if (field != null) {
            assertThat(r.json().path("error").path("field").asString()).as(r.raw()).isEqualTo(field);
        }
    }

    @Test
    void everyConnectionHasDefaultsChangesPersistAndGoWithTheConnection() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_defaults\"}").status()).isEqualTo(201);
        JsonNode d = gw.get(path("st_defaults")).json();
        assertThat(d.path("connection_id").asString()).isEqualTo("st_defaults");
        assertThat(d.path("reject_calls").asBoolean(true)).isFalse();
        assertThat(d.path("call_reply_text").isNull()).isTrue();
        assertThat(d.path("ignore_groups").asBoolean(true)).isFalse();
        assertThat(d.path("ignore_broadcasts").asBoolean(true)).isFalse();
        assertThat(d.path("send_read_receipts").asBoolean(true)).isFalse();
        assertThat(d.path("always_online").asBoolean(true)).isFalse();
        assertThat(d.path("sync_history").asBoolean(false)).isTrue();
        assertThat(d.path("send_rate_per_minute").isNull()).isTrue();
        assertThat(d.path("send_burst").isNull()).isTrue();
        assertThat(gw.count("SELECT count(*) FROM connection_settings WHERE connection_id = 'st_defaults'")).isEqualTo(1);

        JsonNode saved = put("st_defaults", "{\"reject_calls\":true,\"call_reply_text\":\"Please text me\",\"send_rate_per_minute\":30,\"send_burst\":5}");
        assertThat(saved.path("settings").path("reject_calls").asBoolean()).isTrue();
        assertThat(saved.path("presence_sent").isNull()).as("not connected: nothing to send").isTrue();
        // a second change keeps what it does not name; null gives the pace back to the global setting
        put("st_defaults", "{\"ignore_groups\":true,\"send_burst\":null}");
        JsonNode now = gw.get(path("st_defaults")).json();
        assertThat(now.path("reject_calls").asBoolean()).isTrue();
        assertThat(now.path("call_reply_text").asString()).isEqualTo("Please text me");
        assertThat(now.path("ignore_groups").asBoolean()).isTrue();
        assertThat(now.path("send_rate_per_minute").asInt()).isEqualTo(30);
        assertThat(now.path("send_burst").isNull()).isTrue();
        assertThat(gw.count("SELECT count(*) FROM connection_settings WHERE connection_id = 'st_defaults' AND reject_calls "
                + "AND ignore_groups AND send_rate_per_minute = 30 AND send_burst IS NULL")).isEqualTo(1);

        assertThat(gw.delete("/api/connections/st_defaults").status()).isEqualTo(200);
        assertThat(gw.count("SELECT count(*) FROM connection_settings WHERE connection_id = 'st_defaults'")).isZero();
        // a new connection of the same id starts from the defaults again
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_defaults\"}").status()).isEqualTo(201);
        assertThat(gw.get(path("st_defaults")).json().path("reject_calls").asBoolean(true)).isFalse();
    }

    @Test
    void badInputIsA400NamingTheFieldAndChangesNothing() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_bad\"}").status()).isEqualTo(201);
        put("st_bad", "{\"always_online\":true}");
        JsonNode before = gw.get(path("st_bad")).json();
        ApiClient a = gw.admin();
        assertError(a.put(path("st_bad"), "{\"reject_calls\":false,\"rejectCalls\":true}"), 400, "unknown_field", "rejectCalls");
        assertError(a.put(path("st_bad"), "{\"ignore_groups\":\"yes\"}"), 400, "invalid_type", "ignore_groups");
        assertError(a.put(path("st_bad"), "{\"sync_history\":null}"), 400, "invalid_type", "sync_history");
        assertError(a.put(path("st_bad"), "{\"send_rate_per_minute\":10001}"), 400, "out_of_range", "send_rate_per_minute");
        assertError(a.put(path("st_bad"), "{\"send_rate_per_minute\":-1}"), 400, "out_of_range", "send_rate_per_minute");
        assertError(a.put(path("st_bad"), "{\"send_burst\":0}"), 400, "out_of_range", "send_burst");
        assertError(a.put(path("st_bad"), "{\"send_burst\":2.5}"), 400, "invalid_type", "send_burst");
        assertError(a.put(path("st_bad"), "{\"call_reply_text\":\"   \"}"), 400, "out_of_range", "call_reply_text");
        assertError(a.put(path("st_bad"), "{\"call_reply_text\":\"" + "x".repeat(4097) + "\"}"), 400, "out_of_range", "call_reply_text");
        assertError(a.put(path("st_bad"), "{\"call_reply_text\":5}"), 400, "invalid_type", "call_reply_text");
        assertError(a.put(path("st_bad"), "[true]"), 400, "malformed_json", null);
        assertThat(a.put(path("st_bad"), "not json").status()).isEqualTo(400);
        // a valid field next to a bad one is not applied either
        assertError(a.put(path("st_bad"), "{\"reject_calls\":true,\"send_burst\":5000}"), 400, "out_of_range", "send_burst");
        JsonNode after = gw.get(path("st_bad")).json();
        assertThat(after).isEqualTo(before);
        assertError(a.get(path("nope_404")), 404, "connection_not_found", null);
        assertError(a.put(path("nope_404"), "{}"), 404, "connection_not_found", null);
    }

    @Test
    void anotherUsersConnectionIsNotFoundAndUntouched() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_admins\"}").status()).isEqualTo(201);
        assertThat(gw.post("/api/users", "{\"email\":\"eve@example.com\",\"password\":\"password-eve-1\",\"role\":\"user\"}").status()).isEqualTo(201);
        ApiClient eve = gw.browser(true).login("eve@example.com", "password-eve-1");
        String key = eve.post("/api/api-keys", "{\"name\":\"eve\"}").json().path("key").asString();
        ApiClient asEve = gw.withKey(key);
        assertError(asEve.get(path("st_admins")), 404, "connection_not_found", null);
        assertError(asEve.put(path("st_admins"), "{\"reject_calls\":true}"), 404, "connection_not_found", null);
        assertError(asEve.post("/api/connections/st_admins/presence", "{\"to\":\"923001112233\",\"state\":\"composing\"}"), 404,
                "connection_not_found", null);
        assertError(asEve.post("/api/sandbox/st_admins/call", "{\"from\":\"923001112233\"}"), 404, "connection_not_found", null);
        assertError(asEve.get("/api/sandbox/st_admins/contacts/923001112233"), 404, "connection_not_found", null);
        assertThat(gw.get(path("st_admins")).json().path("reject_calls").asBoolean(true)).isFalse();
        // her own connection is hers to change
        assertThat(asEve.post("/api/connections", "{\"connection_id\":\"st_eve\"}").status()).isEqualTo(201);
        assertThat(asEve.put(path("st_eve"), "{\"send_read_receipts\":true}").status()).isEqualTo(200);
        assertThat(asEve.get(path("st_eve")).json().path("send_read_receipts").asBoolean()).isTrue();
    }

    @Test
    void ignoreGroupsAndBroadcastsDropThoseMessagesInTheInboundPipeline() {
        // The emulator has no groups yet: the engine's filter is tested in the engine's tests
        // (emulator-behaviour.test.js); here the same kind of event goes through the gateway's own
        // inbound pipeline (real PostgreSQL), which drops what the engine let through while the
        // setting changed.
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_groups\"}").status()).isEqualTo(201);
        InboundMessages inbound = gw.bean(InboundMessages.class);
        put("st_groups", "{\"ignore_groups\":true,\"ignore_broadcasts\":true}");
        inbound.onEvent(upsert("st_groups", "GRP00000000000000001", "120363000000000001@g.us", "923001112233@s.whatsapp.net"));
        inbound.onEvent(upsert("st_groups", "BRD00000000000000001", "1700000000@broadcast", "923001112233@s.whatsapp.net"));
        inbound.onEvent(upsert("st_groups", "ONE00000000000000001", "923001112233@s.whatsapp.net", "923001112233@s.whatsapp.net"));
        assertThat(stored("ONE00000000000000001")).as("a 1:1 message is stored").isEqualTo(1);
        assertThat(stored("GRP00000000000000001")).isZero();
        assertThat(stored("BRD00000000000000001")).isZero();
        assertThat(gw.count("SELECT count(*) FROM chats WHERE connection_id = 'st_groups' AND chat_jid LIKE '%@g.us'")).isZero();
        // turned off: the group's messages are stored again
        put("st_groups", "{\"ignore_groups\":false}");
        inbound.onEvent(upsert("st_groups", "GRP00000000000000002", "120363000000000001@g.us", "923001112233@s.whatsapp.net"));
        assertThat(stored("GRP00000000000000002")).isEqualTo(1);
    }

    static long stored(String providerId) {
        return gw.count("SELECT count(*) FROM messages WHERE connection_id = 'st_groups' AND provider_message_id = ?", providerId);
    }

    /** An engine messages.upsert event with one text from {@code sender} in {@code chat}. */
    static EngineEvent.MessagesUpserted upsert(String id, String providerId, String chat, String sender) {
        boolean group = chat.endsWith("@g.us");
        MappedMessage m = new MappedMessage(providerId, "text", false, group, chat, group || chat.endsWith("@broadcast") ? null : "923001112233",
                sender, "923001112233", "hello " + providerId, null, null, null, null, null, null, Instant.now(), null, "Sara",
                "{\"conversation\":\"hello " + providerId + "\"}", false, null);
        return new EngineEvent.MessagesUpserted(id, "notify", List.of(m));
    }

    @Test
    void syncHistoryOffLinksWithoutStoringTheHistoryThePhoneSends() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"st_nohist\"}").status()).isEqualTo(201);
        put("st_nohist", "{\"sync_history\":false}");
        gw.link("st_nohist", "923007770001");
        // a live message after the link: Baileys handles the phone's history notification (sent at
        // the first login, before anything live) before this one, so once it is stored, any
        // history would have been too
        ApiClient.Response in = gw.post("/api/sandbox/st_nohist/inbound", "{\"from\":\"923001112233\",\"message\":\"live one\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String live = in.json().path("provider_message_id").asString();
        awaitCount("SELECT count(*) FROM messages WHERE connection_id = 'st_nohist' AND provider_message_id = '" + live + "'", 1);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = 'st_nohist'")).as("only the live message").isEqualTo(1);

        // the same phone history with sync_history on (the default) is stored
        gw.link("st_hist", "923007770002");
        awaitCount("SELECT count(*) > 0 FROM messages WHERE connection_id = 'st_hist'", 1);
    }

    static void awaitCount(String sql, long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Object v = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class).sql(sql).query().singleValue();
            long n = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
            if (n == expected) {
                return;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("not reached in 30 s: " + sql + " = " + expected);
    }

    @Test
    void aConnectionsOwnPaceOverridesTheGlobalOneAndAChangeAppliesToWhatWaits() {
        gw.link("st_pace", "923007770003");
        put("st_pace", "{\"send_rate_per_minute\":1,\"send_burst\":1}");
        ApiClient.Response first = send("st_pace", "pace-1");
        assertThat(first.json().path("status").asString()).as(first.raw()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        ApiClient.Response second = send("st_pace", "pace-2");
        assertThat(second.status()).as(second.raw()).isEqualTo(202);
        assertThat(second.json().path("queued_reason").asString()).isEqualTo("pacing");
        // back to the global pace (unlimited in tests): the waiting message goes out, no relink
        put("st_pace", "{\"send_rate_per_minute\":null,\"send_burst\":null}");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String status = null;
        while (System.nanoTime() < deadline) {
            status = gw.get("/api/connections/st_pace/messages/pace-2").json().path("status").asString();
            if (List.of(GatewayHarness.SEND_ACCEPTED).contains(status)) {
                return;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("pace-2 still " + status);
    }

    static ApiClient.Response send(String id, String clientId) {
        return gw.post("/api/send-message", "{\"connection_id\":\"" + id + "\",\"to\":\"923001112233\",\"message\":\"" + clientId
                + "\",\"client_message_id\":\"" + clientId + "\"}");
    }
}
