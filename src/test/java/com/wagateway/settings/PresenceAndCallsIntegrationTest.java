package com.wagateway.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Presence, read receipts and calls (issue 16 parts 4 and 5) through the real Baileys socket
 * against the emulator and real PostgreSQL: what the connection shows reaches the simulated
 * contact; read receipts only with send_read_receipts on; always_online applied without relinking;
 * calls rejected (with the auto-reply) only with reject_calls on, as a {@code call} webhook and a
 * realtime event; a contact's typing reaches the realtime channel.
 */
class PresenceAndCallsIntegrationTest {

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    /** Linked by a phone that has a name (a Business phone): WhatsApp gives the device its push name. */
    static final String NAMED = "pc_named";
    static final String CONTACT = "923001230001";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("presence"));
        receiver = WebhookReceiver.up();
        ApiClient.Response created = gw.post("/api/connections", "{\"connection_id\":\"" + NAMED + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(gw.get("/api/get-qr/" + NAMED).json().path("status").asString()).isEqualTo("qr_ready");
        ApiClient.Response scan = gw.post("/api/sandbox/" + NAMED + "/scan", "{\"phone\":\"923008880001\",\"name\":\"Corner Shop\"}");
        assertThat(scan.status()).as(scan.raw()).isEqualTo(200);
        gw.awaitStatus(NAMED, "ready", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    /** Polls what a simulated contact got from the connection until {@code until} holds. */
    static JsonNode awaitView(String id, String phone, Predicate<JsonNode> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = gw.get("/api/sandbox/" + id + "/contacts/" + phone);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            last = r.json();
            if (until.test(last)) {
                return last;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("the contact's view never matched; last: " + last);
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
    }

    @Test
    void typingReachesTheContactAndBadInputIsRefused() {
        ApiClient.Response r = gw.post("/api/connections/" + NAMED + "/presence", "{\"to\":\"+92 300 1230001\",\"state\":\"composing\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("to").asString()).isEqualTo(CONTACT + "@s.whatsapp.net");
        assertThat(gw.post("/api/connections/" + NAMED + "/presence", "{\"to\":\"" + CONTACT + "@s.whatsapp.net\",\"state\":\"recording\"}").status())
                .isEqualTo(200);
        JsonNode seen = awaitView(NAMED, CONTACT, v -> v.path("states").size() >= 2);
        assertThat(seen.path("states").get(0).asString()).isEqualTo("composing");
        assertThat(seen.path("states").get(1).asString()).isEqualTo("recording");
        assertThat(seen.path("subscribed").asBoolean()).as("the connection follows the contact's presence").isTrue();

        assertError(gw.post("/api/connections/" + NAMED + "/presence", "{\"to\":\"" + CONTACT + "\",\"state\":\"dancing\"}"), 400, "invalid_state");
        assertError(gw.post("/api/connections/" + NAMED + "/presence", "{\"to\":\"not a number\",\"state\":\"paused\"}"), 400, "invalid_phone");
        assertError(gw.post("/api/connections/" + NAMED + "/presence", "{\"state\":\"paused\"}"), 400, "invalid_recipient");
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"pc_offline\"}").status()).isEqualTo(201);
        assertError(gw.post("/api/connections/pc_offline/presence", "{\"to\":\"" + CONTACT + "\",\"state\":\"paused\"}"), 409, "not_connected");
        assertError(gw.post("/api/connections/nope_404/presence", "{\"to\":\"" + CONTACT + "\",\"state\":\"paused\"}"), 404, "connection_not_found");
    }

    @Test
    void alwaysOnlineGoesOnlineAndOfflineWithoutRelinking() {
        JsonNode on = gw.admin().put("/api/connections/" + NAMED + "/settings", "{\"always_online\":true}").json();
        assertThat(on.path("presence_sent").asString()).as(on.toString()).isEqualTo("available");
        awaitView(NAMED, CONTACT, v -> "available".equals(v.path("online").asString(null)));
        JsonNode off = gw.admin().put("/api/connections/" + NAMED + "/settings", "{\"always_online\":false}").json();
        assertThat(off.path("presence_sent").asString()).isEqualTo("unavailable");
        awaitView(NAMED, CONTACT, v -> "unavailable".equals(v.path("online").asString(null)));
        assertThat(gw.get("/api/whatsapp-web/status/" + NAMED).json().path("status").asString()).isEqualTo("ready");

        // (without a push name WhatsApp refuses available/unavailable: 409 no_push_name; the
        // sandbox phone's own messages always carry one, so that answer is tested in the engine's
        // emulator-behaviour.test.js)
    }

    @Test
    void readReceiptsGoOutOnlyWhenTheSettingIsOn() {
        String reader = "pc_reader";
        String sender = "923001230002";
        gw.link(reader, "923008880003");
        String chat = sender + "@s.whatsapp.net";
        String first = inbound(reader, sender, "first, read with receipts off");
        ApiClient.Response off = gw.post("/api/connections/" + reader + "/chats/" + chat + "/read", "{}");
        assertThat(off.status()).as(off.raw()).isEqualTo(200);
        assertThat(off.json().path("read_receipts_sent").asInt()).isZero();

        gw.admin().put("/api/connections/" + reader + "/settings", "{\"send_read_receipts\":true}");
        String second = inbound(reader, sender, "second, read with receipts on");
        ApiClient.Response on = gw.post("/api/connections/" + reader + "/chats/" + chat + "/read", "{}");
        assertThat(on.json().path("read_receipts_sent").asInt()).as(on.raw()).isEqualTo(1);
        assertThat(on.json().path("unread_count").asInt()).isZero();
        JsonNode view = awaitView(reader, sender, v -> receipts(v, second).contains("read"));
        // the contact got the second read receipt over the same socket after anything sent for the first
        assertThat(receipts(view, first)).doesNotContain("read").isNotEmpty();
        // nothing unread any more: reading again sends nothing
        assertThat(gw.post("/api/connections/" + reader + "/chats/" + chat + "/read", "{}").json().path("read_receipts_sent").asInt()).isZero();
    }

    static List<String> receipts(JsonNode view, String providerId) {
        for (JsonNode m : view.path("messages")) {
            if (providerId.equals(m.path("provider_message_id").asString())) {
                return m.path("receipts").valueStream().map(JsonNode::asString).toList();
            }
        }
        return List.of();
    }

    /** A contact's message, sent and awaited until stored; returns its WhatsApp id. */
    static String inbound(String id, String from, String text) {
        ApiClient.Response r = gw.post("/api/sandbox/" + id + "/inbound", "{\"from\":\"" + from + "\",\"message\":\"" + text + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String pid = r.json().path("provider_message_id").asString();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id = ?", id, pid) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("inbound " + pid + " not stored");
            }
            GatewayHarness.sleep(100);
        }
        return pid;
    }

    @Test
    void callsAreRejectedWithTheReplyOnlyWhenTheSettingIsOnAndReachWebhookAndRealtime() {
        String caller = "923001230003";
        gw.admin().put("/api/connections/" + NAMED + "/settings", "{\"reject_calls\":true,\"call_reply_text\":\"Busy now, please send a message\"}");
        ApiClient.Response started = gw.post("/api/sandbox/" + NAMED + "/call", "{\"from\":\"" + caller + "\"}");
        assertThat(started.status()).as(started.raw()).isEqualTo(200);
        String callId = started.json().path("call_id").asString();
        JsonNode hook = awaitCallWebhook(callId);
        assertThat(hook.path("connection_id").asString()).isEqualTo(NAMED);
        assertThat(hook.path("from").asString()).isEqualTo(caller);
        assertThat(hook.path("from_jid").asString()).isEqualTo(caller + "@s.whatsapp.net");
        assertThat(hook.path("media").asString()).isEqualTo("voice");
        assertThat(hook.path("status").asString()).isEqualTo("offer");
        assertThat(hook.path("rejected").asBoolean()).isTrue();
        JsonNode view = awaitView(NAMED, caller, v -> v.path("calls").size() == 1 && v.path("calls").get(0).path("rejected").asBoolean());
        assertThat(view.path("calls").get(0).path("call_id").asString()).isEqualTo(callId);
        // the auto-reply is a normal message: stored, sent once, decrypted by the caller
        JsonNode reply = awaitMessage(NAMED, "call-reply-" + callId);
        assertThat(gw.awaitSandboxSentContent(NAMED, reply.path("provider_message_id").asString()).path("text").asString())
                .isEqualTo("Busy now, please send a message");

        // reject_calls off: the next call rings on (not rejected), and is still reported
        gw.admin().put("/api/connections/" + NAMED + "/settings", "{\"reject_calls\":false}");
        String second = gw.post("/api/sandbox/" + NAMED + "/call", "{\"from\":\"" + caller + "\",\"video\":true}").json().path("call_id").asString();
        JsonNode ringing = awaitCallWebhook(second);
        assertThat(ringing.path("rejected").asBoolean(true)).isFalse();
        assertThat(ringing.path("media").asString()).isEqualTo("video");
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = ?", NAMED, "call-reply-" + second)).isZero();

        // realtime: the owner's socket gets presence.update and call (socket.io-client in Node)
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages are not installed (run the Maven build)").isTrue();
        NodeScript.Result r = NodeScript.run("e2e/contact-signals.mjs", Map.of(
                "BASE_URL", gw.baseUrl(), "RT_URL", "http://127.0.0.1:" + gw.realtimePort(), "KEY", GatewayHarness.ADMIN_KEY,
                "CONN", NAMED, "CONTACT", "923001230004", "REJECTED", "false"), Duration.ofMinutes(2));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("2 passed, 0 failed");
    }

    static JsonNode awaitCallWebhook(String callId) {
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream().anyMatch(x -> isCall(x, callId)), Duration.ofSeconds(30));
        return got.stream().filter(x -> isCall(x, callId)).findFirst().orElseThrow().json();
    }

    static boolean isCall(WebhookReceiver.Received r, String callId) {
        return "call".equals(r.event()) && callId.equals(r.json().path("call_id").asString());
    }

    static JsonNode awaitMessage(String id, String clientId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = gw.get("/api/connections/" + id + "/messages/" + clientId);
            last = r.json();
            if (r.status() == 200 && List.of(GatewayHarness.SEND_ACCEPTED).contains(last.path("status").asString())) {
                return last;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError(clientId + " was not sent; last: " + last);
    }
}
