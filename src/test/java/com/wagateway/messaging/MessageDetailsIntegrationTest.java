package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.whatsapp.EngineEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What is kept of each inbound message (README "Message details"): a simulated contact sends
 * through the emulator to the real Baileys socket, and the stored message (API) and the
 * {@code message.received} webhook carry the same {@code details} — a reaction's target with our
 * stored message, a poll's options, an undecryptable reason, a live location's caption, a list's
 * title and rows, the forwarded and view-once flags. Group notifications and status posts, which
 * the emulator cannot send, are fed to the inbound pipeline as the engine reports them.
 */
class MessageDetailsIntegrationTest {

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    static final String ID = "msg_details";
    static final String PEER = "923001114455";
    static final String CHAT = PEER + "@s.whatsapp.net";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("message-details"));
        receiver = WebhookReceiver.up();
        ApiClient.Response created = gw.post("/api/connections",
                "{\"connection_id\":\"" + ID + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        gw.link(ID, "923009990055");
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    @Test
    void aReactionNamesItsTargetAndOurStoredMessage() {
        JsonNode sent = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"message\":\"rate us\",\"client_message_id\":\"details-ask-1\"}").json();
        String pid = sent.path("provider_message_id").asString();
        assertThat(pid).as(sent.toString()).startsWith("3EB0");
        String reaction = inbound("{\"type\":\"reaction\",\"message\":\"👍\",\"reply_to_provider_message_id\":\"" + pid + "\"}");

        JsonNode hook = awaitWebhook(reaction);
        assertThat(hook.path("type").asString()).isEqualTo("reaction");
        JsonNode details = hook.path("details");
        assertThat(details.path("emoji").asString()).isEqualTo("👍");
        assertThat(details.path("removed").asBoolean()).isFalse();
        assertThat(details.path("target").path("id").asString()).isEqualTo(pid);
        assertThat(details.path("target").path("from_me").asBoolean()).isTrue();
        assertThat(details.path("target").path("message_id").asString()).isEqualTo(sent.path("message_id").asString());
        assertThat(awaitStored(reaction).path("details")).isEqualTo(details);
    }

    @Test
    void eachTypeKeepsItsDetailsInTheApiAndTheWebhook() {
        String poll = inbound("{\"type\":\"poll\",\"message\":\"Lunch?\"}");
        String live = inbound("{\"type\":\"live_location\",\"message\":\"On my way\"}");
        String list = inbound("{\"type\":\"list\",\"message\":\"Our menu\"}");
        String forwarded = inbound("{\"type\":\"forwarded\",\"message\":\"pass it on\"}");
        String once = inbound("{\"type\":\"view_once\"}");
        String plain = inbound("{\"type\":\"text\",\"message\":\"nothing special\"}");

        JsonNode p = awaitWebhook(poll).path("details");
        assertThat(p.path("name").asString()).isEqualTo("Lunch?");
        assertThat(p.path("options").toString()).isEqualTo("[\"Yes\",\"No\"]");
        assertThat(p.path("selectable_count").asInt()).isEqualTo(1);

        JsonNode l = awaitWebhook(live);
        assertThat(l.path("type").asString()).isEqualTo("liveLocation");
        assertThat(l.path("message").asString()).isEqualTo("On my way");
        assertThat(l.path("details").path("caption").asString()).isEqualTo("On my way");
        assertThat(l.path("details").path("latitude").asDouble()).isEqualTo(24.8607);

        JsonNode li = awaitWebhook(list);
        assertThat(li.path("type").asString()).isEqualTo("list");
        assertThat(li.path("message").asString()).isEqualTo("Our menu");
        assertThat(li.path("details").path("title").asString()).isEqualTo("Our menu");
        assertThat(li.path("details").path("sections").path(0).path("rows").path(0).path("row_id").asString()).isEqualTo("row-1");

        JsonNode f = awaitWebhook(forwarded);
        assertThat(f.path("details").path("forwarded").asBoolean()).isTrue();
        assertThat(f.path("details").path("forwarding_score").asInt()).isEqualTo(4);

        JsonNode o = awaitWebhook(once);
        assertThat(o.path("type").asString()).isEqualTo("image");
        assertThat(o.path("details").path("view_once").asBoolean()).isTrue();

        JsonNode none = awaitWebhook(plain);
        assertThat(none.has("details")).isTrue();
        assertThat(none.path("details").isNull()).as("no details: null, not left out").isTrue();

        // the API shows exactly what the webhook carried
        for (String pid : List.of(poll, live, list, forwarded, once, plain)) {
            assertThat(awaitStored(pid).path("details")).as(pid).isEqualTo(awaitWebhook(pid).path("details"));
        }
        assertThat(awaitStored(live).path("body").asString()).isEqualTo("On my way");
        assertThat(l.has("media")).as("a live location is not media").isFalse();
    }

    /**
     * Baileys reports the reason (libsignal's "No session record" from a contact the device has
     * no session with yet); the device's retry receipt makes the contact resend, and the content
     * that replaces the placeholder replaces its details too.
     */
    @Test
    void anUndecryptableMessageKeepsItsReasonUntilItsContentArrives() {
        String stranger = "923001114466";
        String pid = inbound(stranger, "{\"type\":\"undecryptable\",\"message\":\"readable after the retry\"}");
        JsonNode first = awaitWebhook(pid);
        assertThat(first.path("type").asString()).isEqualTo("undecryptable");
        assertThat(first.path("details").path("reason").asString()).isEqualTo("No session record");
        JsonNode replaced = awaitStoredWhere(stranger + "@s.whatsapp.net", pid, m -> "text".equals(m.path("type").asString()));
        assertThat(replaced.path("body").asString()).isEqualTo("readable after the retry");
        assertThat(replaced.path("details").isNull()).as(replaced.toString()).isTrue();
    }

    /**
     * A group notification (as the engine reports Baileys' GROUP_PARTICIPANT_ADD stub) is stored
     * with its participants; a status post by a LID sender keeps the sender's phone, and the
     * status chat gets neither that phone nor the sender's name.
     */
    @Test
    void groupNotificationsAndStatusPostsAreStoredWithWhoAndWhat() {
        String group = "120363000000000077@g.us";
        String notification = """
                {"key":{"id":"3A00000000000000GN01","remoteJid":"%1$s","fromMe":false,"participant":"204812345678901@lid"},
                 "timestamp":%2$d,"message":null,"messageStubType":27,
                 "parsed":{"type":"groupNotification","text":"[923004445566 added]","chatJid":"%1$s","chatPhone":null,
                           "senderJid":"204812345678901@lid","senderPhone":"923001112233","fromMe":false,"isGroup":true,
                           "details":{"action":"add","participants":[{"jid":"204899999999999@lid","phone":"923004445566"}]}}}"""
                .formatted(group, Instant.now().getEpochSecond());
        String status = """
                {"key":{"id":"3A00000000000000ST01","remoteJid":"status@broadcast","fromMe":false,"participant":"204812345678902@lid"},
                 "timestamp":%1$d,"pushName":"Sara","message":{"conversation":"my story"},
                 "parsed":{"type":"text","text":"my story","chatJid":"status@broadcast","chatPhone":null,
                           "senderJid":"204812345678902@lid","senderPhone":"923007776655","fromMe":false,"isGroup":false}}"""
                .formatted(Instant.now().getEpochSecond());
        gw.bean(InboundMessages.class).onEvent(EngineEvent.MessagesUpserted.from(ID,
                GatewayHarness.JSON.readTree("{\"type\":\"append\",\"messages\":[" + notification + "," + status + "]}")));

        JsonNode n = awaitWebhook("3A00000000000000GN01");
        assertThat(n.path("type").asString()).isEqualTo("groupNotification");
        assertThat(n.path("message").asString()).isEqualTo("[923004445566 added]");
        assertThat(n.path("is_group").asBoolean()).isTrue();
        assertThat(n.path("details").path("action").asString()).isEqualTo("add");
        assertThat(n.path("details").path("participants").path(0).path("phone").asString()).isEqualTo("923004445566");
        assertThat(gw.get("/api/connections/" + ID + "/chats/" + group + "/messages").json().path("messages").path(0)
                .path("details")).isEqualTo(n.path("details"));

        JsonNode s = awaitWebhook("3A00000000000000ST01");
        assertThat(s.path("from").asString()).isEqualTo("923007776655");
        assertThat(s.path("chat_id").asString()).isEqualTo("status@broadcast");
        JsonNode chats = gw.get("/api/connections/" + ID + "/chats?limit=200").json().path("chats");
        JsonNode statusChat = null;
        for (JsonNode c : chats) {
            if ("status@broadcast".equals(c.path("chat_jid").asString())) {
                statusChat = c;
            }
        }
        assertThat(statusChat).as(chats.toString()).isNotNull();
        assertThat(statusChat.path("phone").isNull()).as(statusChat.toString()).isTrue();
        assertThat(statusChat.path("name").isNull()).as("not named after a poster: " + statusChat).isTrue();
    }

    /** A contact's message through the sandbox; returns its WhatsApp id. */
    static String inbound(String fields) {
        return inbound(PEER, fields);
    }

    /** A message from {@code from} through the sandbox; returns its WhatsApp id. */
    static String inbound(String from, String fields) {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\"," + fields.substring(1));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("provider_message_id").asString();
    }

    /** The first message.received webhook of this WhatsApp id (waits for it, 20 s at most). */
    static JsonNode awaitWebhook(String pid) {
        Predicate<WebhookReceiver.Received> match = r -> "message.received".equals(r.event())
                && pid.equals(r.json().path("provider_message_id").asString());
        return receiver.await(list -> list.stream().anyMatch(match), Duration.ofSeconds(20)).stream()
                .filter(match).findFirst().orElseThrow().json();
    }

    static JsonNode awaitStored(String pid) {
        return awaitStoredWhere(CHAT, pid, m -> true);
    }

    /** The stored message with this WhatsApp id in this chat, once it matches (20 s at most). */
    static JsonNode awaitStoredWhere(String chat, String pid, Predicate<JsonNode> until) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            for (JsonNode m : gw.get("/api/connections/" + ID + "/chats/" + chat + "/messages?limit=200").json().path("messages")) {
                if (pid.equals(m.path("provider_message_id").asString()) && until.test(m)) {
                    return m;
                }
            }
            assertThat(Instant.now()).as("message " + pid + " stored as expected").isBefore(deadline);
            GatewayHarness.sleep(100);
        }
    }
}
