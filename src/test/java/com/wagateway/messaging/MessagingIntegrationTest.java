package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.RawEngineCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sending, receiving and statuses through the real engine (sandbox) and real PostgreSQL: the
 * seed's response shape, idempotency under concurrency, retries, receipts that never regress,
 * reply mapping, LID resolution, getMessage from stored content, and bad input storing nothing.
 * Images are {@link ImageSendIntegrationTest}'s.
 */
class MessagingIntegrationTest {

    static GatewayHarness gw;
    static final String ID = "msg_main";
    static final String PEER = "923001112233";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("messaging"));
        gw.link(ID, "923009990001");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void sendAnswersTheSeedShapeByteForByte() {
        ApiClient.Response r = gw.post("/api/send-message", body(PEER, "Your question here", "unique-client-id-001"));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.raw()).matches("\\{\"status\":\"sent\",\"client_message_id\":\"unique-client-id-001\","
                + "\"message_id\":\"[0-9a-f-]{36}\",\"provider_message_id\":\"3EB0[0-9A-F]{18}\"}");
        JsonNode stored = gw.get("/api/connections/" + ID + "/messages/unique-client-id-001").json();
        assertThat(stored.path("body").asString()).isEqualTo("Your question here");
        assertThat(stored.path("to").asString()).isEqualTo(PEER);
        assertThat(stored.path("from").asString()).isEqualTo("923009990001");
        assertThat(stored.path("chat_jid").asString()).isEqualTo(PEER + "@s.whatsapp.net");
        assertThat(stored.path("direction").asString()).isEqualTo("outbound");
    }

    @Test
    void withoutClientIdTheServerMakesOne() {
        JsonNode r = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"+92 300-111-2233\",\"message\":\"hi\"}").json();
        String made = r.path("client_message_id").asString();
        assertThat(made).matches("[0-9a-f-]{36}");
        // (the answer may be 202 queued when WhatsApp took longer than SEND_WAIT: how fast is the
        // benchmark's business; the made id names the message either way, and it goes out)
        JsonNode m = awaitMessage(made, x -> !"queued".equals(x.path("status").asString()));
        assertThat(m.path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(m.path("message_id").asString()).isEqualTo(r.path("message_id").asString());
        assertThat(m.path("to").asString()).isEqualTo(PEER);
    }

    @Test
    void twentyConcurrentRepeatsMakeOneMessageAndOneSend() throws Exception {
        String cid = "concurrent-1";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Callable<ApiClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> gw.post("/api/send-message", body(PEER, "only once", cid)));
        }
        List<ApiClient.Response> answers = new ArrayList<>();
        for (Future<ApiClient.Response> f : pool.invokeAll(calls)) {
            answers.add(f.get());
        }
        pool.shutdown();
        Set<String> messageIds = new java.util.HashSet<>();
        for (ApiClient.Response a : answers) {
            assertThat(a.status()).as(a.raw()).isIn(200, 202);
            messageIds.add(a.json().path("message_id").asString());
        }
        assertThat(messageIds).hasSize(1);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = ?", ID, cid)).isEqualTo(1);
        JsonNode msg = awaitMessage(cid, m -> !"queued".equals(m.path("status").asString()));
        assertThat(sentCount(msg.path("provider_message_id").asString())).isEqualTo(1);
    }

    @Test
    void sameIdWithDifferentContentIsAConflict() {
        assertThat(gw.post("/api/send-message", body(PEER, "first", "conflict-1")).status()).isEqualTo(200);
        ApiClient.Response other = gw.post("/api/send-message", body(PEER, "second", "conflict-1"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().path("error").path("code").asString()).isEqualTo("idempotency_conflict");
        ApiClient.Response otherTo = gw.post("/api/send-message", body("923004445566", "first", "conflict-1"));
        assertThat(otherTo.status()).isEqualTo(409);
        ApiClient.Response same = gw.post("/api/send-message", body(PEER, "first", "conflict-1"));
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().path("status").asString()).isIn("sent", "delivered", "read");
        assertThat(gw.get("/api/connections/" + ID + "/messages/conflict-1").json().path("body").asString()).isEqualTo("first");
    }

    @Test
    void statusesAdvanceAndNeverRegress() {
        JsonNode sent = gw.post("/api/send-message", body(PEER, "tick tock", "status-1")).json();
        String pid = sent.path("provider_message_id").asString();
        awaitMessage("status-1", m -> "read".equals(m.path("status").asString()));
        String updatedAt = "SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'status-1' "
                + "AND status = 'read' AND updated_at = ?::timestamptz";
        String readAt = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("SELECT updated_at::text FROM messages WHERE connection_id = ? AND client_message_id = 'status-1'")
                .param(ID).query(String.class).single();
        // a late "delivered" receipt after "read" changes nothing
        assertThat(gw.post("/api/sandbox/" + ID + "/receipt", "{\"provider_message_id\":\"" + pid + "\",\"status\":\"delivered\"}").status()).isEqualTo(200);
        // marker: engine events are handled in order, so once this later inbound message is stored
        // the receipt before it has been handled too
        String marker = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"marker\",\"type\":\"text\"}")
                .json().path("provider_message_id").asString();
        awaitInChat(PEER + "@s.whatsapp.net", m -> marker.equals(m.path("provider_message_id").asString()));
        assertThat(message("status-1").path("status").asString()).isEqualTo("read");
        assertThat(gw.count(updatedAt, ID, readAt)).as("the row was not touched").isEqualTo(1);
        gw.post("/api/sandbox/" + ID + "/receipt", "{\"provider_message_id\":\"" + pid + "\",\"status\":\"played\"}");
        awaitMessage("status-1", m -> "played".equals(m.path("status").asString()));
    }

    @Test
    void anInboundReplyIsLinkedToTheSentMessage() {
        JsonNode sent = gw.post("/api/send-message", body(PEER, "Your question here", "ask-1")).json();
        String pid = sent.path("provider_message_id").asString();
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/inbound",
                "{\"from\":\"" + PEER + "\",\"message\":\"true\",\"reply_to_provider_message_id\":\"" + pid + "\",\"type\":\"text\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String inboundId = in.json().path("provider_message_id").asString();
        JsonNode reply = awaitInChat(PEER + "@s.whatsapp.net", m -> inboundId.equals(m.path("provider_message_id").asString()));
        assertThat(reply.path("direction").asString()).isEqualTo("inbound");
        assertThat(reply.path("status").asString()).isEqualTo("received");
        assertThat(reply.path("from").asString()).isEqualTo(PEER);
        assertThat(reply.path("body").asString()).isEqualTo("true");
        assertThat(reply.path("in_reply_to").path("client_message_id").asString()).isEqualTo("ask-1");
        assertThat(reply.path("in_reply_to").path("provider_message_id").asString()).isEqualTo(pid);
    }

    @Test
    void aLidAddressedSenderIsResolvedToItsPhoneNumber() {
        String phone = "923007778899";
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/inbound",
                "{\"from\":\"" + phone + "\",\"message\":\"via lid\",\"as_lid\":true,\"push_name\":\"Bilal\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        assertThat(in.json().path("remote_jid").asString()).endsWith("@lid");
        JsonNode m = awaitInChat(phone + "@s.whatsapp.net", x -> "via lid".equals(x.path("body").asString()));
        assertThat(m.path("from").asString()).isEqualTo(phone);
        assertThat(m.path("from_jid").asString()).endsWith("@lid");
        assertThat(m.path("push_name").asString()).isEqualTo("Bilal");
        assertThat(gw.count("SELECT count(*) FROM lid_mappings WHERE connection_id = ? AND pn = ?", ID, phone + "@s.whatsapp.net")).isEqualTo(1);
        JsonNode chats = gw.get("/api/connections/" + ID + "/chats?limit=200").json().path("chats");
        assertThat(chats.toString()).contains(phone + "@s.whatsapp.net").doesNotContain(m.path("from_jid").asString());
    }

    @Test
    void transientSendFailuresAreRetriedWithTheSameId() {
        assertThat(gw.post("/api/sandbox/" + ID + "/fail", "{\"count\":2,\"code\":500}").status()).isEqualTo(200);
        ApiClient.Response r = gw.post("/api/send-message", body("923005550001", "after retries", "retry-1"));
        assertThat(r.status()).as(r.raw()).isIn(200, 202);
        JsonNode m = awaitMessage("retry-1", x -> !"queued".equals(x.path("status").asString()));
        assertThat(m.path("status").asString()).isIn("sent", "delivered", "read");
        assertThat(m.path("attempts").asInt()).isEqualTo(3);
        assertThat(sentCount(m.path("provider_message_id").asString())).isEqualTo(1);
    }

    @Test
    void refusedContentFailsAtOnceWithTheReason() {
        gw.post("/api/sandbox/" + ID + "/fail", "{\"count\":1,\"code\":400}");
        ApiClient.Response r = gw.post("/api/send-message", body("923005550002", "refused", "refused-1"));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isEqualTo("failed");
        assertThat(r.json().path("error").asString()).contains("400");
        assertThat(message("refused-1").path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void getMessageIsServedFromStoredContent() {
        JsonNode sent = gw.post("/api/send-message", body(PEER, "retry me", "getmsg-1")).json();
        RawEngineCommands engine = gw.bean(RawEngineCommands.class);
        var args = engine.newArgs();
        args.put("providerMessageId", sent.path("provider_message_id").asString());
        JsonNode r = engine.sandbox("retryRequest", ID, args).join();
        assertThat(r.path("found").asBoolean()).isTrue();
        assertThat(r.path("message").toString()).contains("retry me");
    }

    @Test
    void badInputIsRefusedAndStoresNothing() {
        // what a send could store: outbound rows that are not history (a history sync of an earlier
        // test may still be landing and must not make this test fail)
        String sends = "SELECT count(*) FROM messages WHERE direction = 'outbound' AND NOT from_history";
        long before = gw.count(sends);
        String big = "x".repeat(64 * 1024 + 1);
        String[][] cases = {
                {body("12", "hi", "bad-1"), "to"},
                {body("0300 1112233", "hi", "bad-2"), "to"},
                {body("abc@example.com", "hi", "bad-3"), "to"},
                {body(PEER, "", "bad-4"), "message"},
                {body(PEER, "   ", "bad-5"), "message"},
                {body(PEER, big, "bad-6"), "message"},
                {body(PEER, "hi", "has space"), "client_message_id"},
                {"{\"connection_id\":\"../etc\",\"to\":\"" + PEER + "\",\"message\":\"hi\"}", "connection_id"},
                {"{\"connection_id\":\"" + ID + "\",\"message\":\"hi\"}", "to"},
                {"{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\",\"message\":\"hi\",\"reply_to\":\"nope-404\"}", "reply_to"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = gw.post("/api/send-message", c[0]);
            assertThat(r.status()).as(c[1] + ": " + r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").path("field").asString()).as(r.raw()).isEqualTo(c[1]);
        }
        assertThat(gw.post("/api/send-message", "{not json").status()).isEqualTo(400);
        assertThat(gw.count(sends)).isEqualTo(before);
    }

    @Test
    void aConnectionThatNeedsAPersonRefusesAndStoresNothing() {
        gw.post("/api/connections", "{\"connection_id\":\"msg_idle\"}");
        ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"msg_idle\",\"to\":\"" + PEER + "\",\"message\":\"hi\"}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("connection_not_ready");
        assertThat(r.json().path("error").path("message").asString()).contains("disconnected");
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = 'msg_idle'")).isZero();
        assertThat(gw.post("/api/send-message", "{\"connection_id\":\"nope\",\"to\":\"" + PEER + "\",\"message\":\"hi\"}").status())
                .isEqualTo(404);
    }

    @Test
    void inboundMessagesAreStoredOnceWithTypeAndPlaceholder() {
        String from = "923006660001";
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"type\":\"image\",\"message\":\"a cat\",\"message_id\":\"3A11111111111111111A\"}");
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"type\":\"location\",\"message\":\"24.86,67.00\"}");
        // a message the device cannot decrypt is stored as an undecryptable placeholder ...
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"type\":\"undecryptable\",\"message\":\"readable now\",\"message_id\":\"3A22222222222222222B\"}");
        // ... until WhatsApp delivers its content under the same id (the sender's resend after the
        // device's retry receipt, or a redelivery after a reconnect): the placeholder is replaced
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"type\":\"text\",\"message\":\"readable now\",\"message_id\":\"3A22222222222222222B\"}");
        // the same WhatsApp id again (WhatsApp re-delivers) is stored once
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"type\":\"image\",\"message\":\"a cat\",\"message_id\":\"3A11111111111111111A\"}");
        String chat = from + "@s.whatsapp.net";
        // marker: a contact's messages are handled in order, so once this later one is stored the
        // redeliveries before it have been handled too
        String marker = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + from + "\",\"message\":\"marker\",\"type\":\"text\"}")
                .json().path("provider_message_id").asString();
        awaitInChat(chat, m -> marker.equals(m.path("provider_message_id").asString()));
        JsonNode replaced = awaitInChat(chat, m -> "3A22222222222222222B".equals(m.path("provider_message_id").asString())
                && "text".equals(m.path("type").asString()));
        assertThat(replaced.path("body").asString()).isEqualTo("readable now");
        JsonNode list = gw.get("/api/connections/" + ID + "/chats/" + chat + "/messages").json().path("messages");
        assertThat(list.size()).as(list.toString()).isEqualTo(4);
        JsonNode image = find(list, m -> "image".equals(m.path("type").asString()));
        assertThat(image.path("body").asString()).isEqualTo("a cat");
        assertThat(image.path("caption").asString()).isEqualTo("a cat");
        assertThat(image.path("mime_type").asString()).startsWith("image/");
        assertThat(find(list, m -> "location".equals(m.path("type").asString())).path("body").asString()).startsWith("[location");
        JsonNode chats = gw.get("/api/connections/" + ID + "/chats?limit=200").json().path("chats");
        JsonNode c = find(chats, x -> chat.equals(x.path("chat_jid").asString()));
        assertThat(c.path("unread_count").asInt()).isEqualTo(4);
        assertThat(gw.post("/api/connections/" + ID + "/chats/" + chat + "/read", "{}").status()).isEqualTo(200);
    }

    /**
     * Pairing brings a history sync of chats with 60, 12 and 5 messages: the 60-message chat keeps
     * exactly its newest 50 (and is not asked for more), the short ones are filled up to 50 by one
     * on-demand request each; history sends no webhooks and counts nothing as unread live.
     */
    @Test
    void historySyncKeepsTheNewestFiftyPerChatAndFillsShortChats() {
        String sql = "SELECT count(*) FROM (SELECT chat_jid FROM messages WHERE connection_id = ? AND from_history "
                + "GROUP BY chat_jid HAVING count(*) = 50) x";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gw.count(sql, ID) < 3 && System.nanoTime() < deadline) {
            GatewayHarness.sleep(200);
        }
        assertThat(gw.count(sql, ID)).isEqualTo(3);
        assertThat(gw.count("SELECT count(*) FROM (SELECT chat_jid FROM messages WHERE connection_id = ? AND from_history "
                + "GROUP BY chat_jid HAVING count(*) <> 50) x", ID)).isZero();
        // the chat that arrived with 60: never asked for more, its stored 50 span 49 minutes up to its newest
        String full = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("SELECT chat_jid FROM chats WHERE connection_id = ? AND history_requested_at IS NULL AND chat_jid IN "
                        + "(SELECT chat_jid FROM messages WHERE connection_id = ? AND from_history)")
                .params(ID, ID).query(String.class).single();
        assertThat(gw.count("SELECT extract(epoch FROM max(wa_timestamp) - min(wa_timestamp))::bigint FROM messages "
                + "WHERE connection_id = ? AND chat_jid = ?", ID, full)).isEqualTo(49 * 60);
        assertThat(gw.count("SELECT count(*) FROM chats WHERE connection_id = ? AND history_requested_at IS NOT NULL", ID)).isEqualTo(2);
        // messages typed on the phone itself are ours: outbound, from our own number, never "received"
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND from_history AND direction = 'outbound' "
                + "AND from_phone = '923009990001' AND client_message_id IS NULL AND status IN ('sent', 'delivered', 'read')", ID))
                .isGreaterThan(0);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND from_history AND direction = 'inbound' "
                + "AND status <> 'received'", ID)).isZero();
        JsonNode page1 = gw.get("/api/connections/" + ID + "/chats/" + full + "/messages?limit=30").json();
        assertThat(page1.path("messages").size()).isEqualTo(30);
        JsonNode page2 = gw.get("/api/connections/" + ID + "/chats/" + full + "/messages?limit=30&before="
                + page1.path("next_cursor").asString()).json();
        assertThat(page2.path("messages").size()).isEqualTo(20);
        assertThat(page2.path("next_cursor").isNull()).isTrue();
        assertThat(Instant.parse(page2.path("messages").get(0).path("timestamp").asString()))
                .isBefore(Instant.parse(page1.path("messages").get(29).path("timestamp").asString()));
    }

    // ---- helpers ----

    static String body(String to, String message, String clientId) {
        return "{\"connection_id\":\"" + ID + "\",\"to\":\"" + to + "\",\"message\":" + GatewayHarness.JSON.valueToTree(message)
                + ",\"client_message_id\":\"" + clientId + "\"}";
    }

    static JsonNode message(String clientId) {
        return gw.message(ID, clientId);
    }

    static JsonNode awaitMessage(String clientId, Predicate<JsonNode> until) {
        return gw.awaitMessage(ID, clientId, until, Duration.ofSeconds(40));
    }

    static JsonNode awaitInChat(String chat, Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode list = gw.get("/api/connections/" + ID + "/chats/" + chat + "/messages?limit=200").json().path("messages");
            for (JsonNode m : list) {
                if (match.test(m)) {
                    return m;
                }
            }
            GatewayHarness.sleep(50);
        }
        throw new AssertionError("no matching message in " + chat);
    }

    static JsonNode find(JsonNode list, Predicate<JsonNode> match) {
        for (JsonNode m : list) {
            if (match.test(m)) {
                return m;
            }
        }
        throw new AssertionError("not found in " + list);
    }

    /** How often the emulator's contacts got this message id (1 = exactly once). */
    static int sentCount(String providerMessageId) {
        return gw.sandboxSentCount(ID, providerMessageId);
    }
}
