package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wagateway.database.MessageRow;
import com.wagateway.database.QueuedInserts;
import com.wagateway.database.QueuedInserts.NewQueued;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import tools.jackson.databind.JsonNode;

/**
 * Issue 18: queued sends of concurrent requests are stored by one statement and one commit
 * ({@link GroupCommit} over {@link QueuedInserts}). The guarantees hold under that batching: a
 * repeated {@code client_message_id} still makes one row and one WhatsApp send, also when both
 * copies meet in the same statement; a statement that fails stores nothing of its batch.
 */
class SendGroupCommitIntegrationTest {

    static GatewayHarness gw;
    static final String ID = "gc_main";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.defaults(GatewayHarness.tempDataDir("send-group-commit")));
        gw.link(ID, "923007770001");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void concurrentSendsWithRepeatedIdsMakeOneRowAndOneSendEach() throws Exception {
        int ids = 24;
        List<Callable<ApiClient.Response>> calls = new ArrayList<>();
        for (int copy = 0; copy < 2; copy++) {
            for (int i = 0; i < ids; i++) {
                String to = "92300777" + String.format("%04d", i % 6);
                String body = "{\"connection_id\":\"" + ID + "\",\"to\":\"" + to + "\",\"message\":\"batched " + i
                        + "\",\"client_message_id\":\"gc-" + i + "\"}";
                calls.add(() -> gw.post("/api/send-message", body));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        List<ApiClient.Response> answers = new ArrayList<>();
        try {
            for (Future<ApiClient.Response> f : pool.invokeAll(calls)) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        Map<String, String> messageIdOf = new HashMap<>();
        for (ApiClient.Response a : answers) {
            assertThat(a.status()).as(a.raw()).isIn(200, 202);
            String cid = a.json().path("client_message_id").asString();
            String mid = a.json().path("message_id").asString();
            assertThat(messageIdOf.putIfAbsent(cid, mid)).as("both answers for %s name one message", cid).isIn(null, mid);
        }
        assertThat(messageIdOf).hasSize(ids);
        for (int i = 0; i < ids; i++) {
            String cid = "gc-" + i;
            assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = ?", ID, cid))
                    .isEqualTo(1);
            JsonNode m = gw.awaitMessage(ID, cid, x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(60));
            assertThat(m.path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
            // the server acks before the contact has decrypted it: wait for the contact, then count
            gw.awaitSandboxSentContent(ID, m.path("provider_message_id").asString());
            assertThat(gw.sandboxSentCount(ID, m.path("provider_message_id").asString())).isEqualTo(1);
        }
    }

    /**
     * {@code Prefer: respond-async} (RFC 7240, issue 18): the answer is 202 {@code queued} once the
     * row is committed, with {@code Preference-Applied}; the dispatcher then sends it once, and a
     * repeat of the id reports the stored status and sends nothing more. Without the header the
     * same endpoint waits for WhatsApp's ack (200 sent) and applies no preference.
     */
    @Test
    void preferRespondAsyncIsAnsweredOnceStoredAndTheMessageIsThenSentOnce() {
        String body = "{\"connection_id\":\"" + ID + "\",\"to\":\"923007770200\",\"message\":\"async\",\"client_message_id\":\"async-1\"}";
        java.util.function.Function<String, ApiClient.Response> send = prefer -> {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/api/send-message"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (prefer != null) {
                req.header("Prefer", prefer);
            }
            return gw.admin().send(req);
        };
        ApiClient.Response r = send.apply("wait=5, Respond-Async");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        assertThat(r.json().path("status").asString()).isEqualTo("queued");
        assertThat(r.json().path("queued_reason").asString()).isEqualTo("sending");
        assertThat(r.headers().firstValue("Preference-Applied")).hasValue("respond-async");
        // committed before the answer: the row is there whatever the dispatcher has done since
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'async-1'", ID)).isEqualTo(1);
        JsonNode m = gw.awaitMessage(ID, "async-1", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(60));
        assertThat(m.path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(m.path("message_id").asString()).isEqualTo(r.json().path("message_id").asString());
        gw.awaitSandboxSentContent(ID, m.path("provider_message_id").asString());

        ApiClient.Response repeat = send.apply("respond-async");
        assertThat(repeat.status()).as(repeat.raw()).isEqualTo(200);
        assertThat(repeat.json().path("message_id").asString()).isEqualTo(r.json().path("message_id").asString());
        assertThat(gw.sandboxSentCount(ID, m.path("provider_message_id").asString())).isEqualTo(1);

        ApiClient.Response waited = gw.post("/api/send-message", body.replace("async-1", "async-2"));
        assertThat(waited.status()).as(waited.raw()).isEqualTo(200);
        assertThat(waited.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(waited.headers().firstValue("Preference-Applied")).isEmpty();
    }

    /**
     * Issue 18: the dispatcher does not wait for a pass of sends to finish before it sends more.
     * WhatsApp acks one chat's message 6 s late (the emulator's held ack); a message to another
     * chat sent meanwhile goes out and is answered {@code sent} while the first still waits, and
     * the first is answered once its ack comes.
     */
    @Test
    void aSlowSendToOneChatDoesNotHoldBackAnotherChat() throws Exception {
        holdAck("923007770301", 6000);
        java.util.concurrent.CompletableFuture<ApiClient.Response> slow = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"923007770301\",\"message\":\"slow\",\"client_message_id\":\"slow-1\"}"));
        // the slow one is with WhatsApp (its contact decrypted it), its ack held back
        var jdbc = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
        String slowProviderId = null;
        for (long deadline = System.nanoTime() + 30_000_000_000L; slowProviderId == null && System.nanoTime() < deadline; ) {
            slowProviderId = jdbc.sql("SELECT provider_message_id FROM messages WHERE connection_id = ? AND client_message_id = 'slow-1'")
                    .param(ID).query(String.class).optional().orElse(null);
            GatewayHarness.sleep(50);
        }
        assertThat(slowProviderId).as("the slow send stored").isNotNull();
        gw.awaitSandboxSentContent(ID, slowProviderId);

        ApiClient.Response other = gw.post("/api/send-message", "{\"connection_id\":\"" + ID
                + "\",\"to\":\"923007770302\",\"message\":\"not held back\",\"client_message_id\":\"fast-1\"}");
        assertThat(other.status()).as(other.raw()).isEqualTo(200);
        assertThat(other.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(slow).as("the slow chat's answer still waits for its ack").isNotDone();
        ApiClient.Response slowAnswer = slow.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(slowAnswer.status()).as(slowAnswer.raw()).isEqualTo(200);
        assertThat(gw.sandboxSentCount(ID, slowProviderId)).isEqualTo(1);
    }

    /**
     * The dispatcher reads the queue in pages sized to its free send slots (issue 18), growing
     * while they hold only busy chats: 80 messages queued to one chat whose first send's ack
     * WhatsApp holds do not hold back another chat's message behind them (answered sent while
     * the 79 still wait); then all 80 go out, each once.
     */
    @Test
    void manyQueuedMessagesOfOneChatDoNotHoldBackAnotherChatBehindThem() throws Exception {
        holdAck("923007770401", 20000);
        for (int i = 1; i <= 80; i++) {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/api/send-message"))
                    .header("Content-Type", "application/json").header("Prefer", "respond-async")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"connection_id\":\"" + ID
                            + "\",\"to\":\"923007770401\",\"message\":\"bulk " + i + "\",\"client_message_id\":\"bulk-" + i + "\"}"));
            ApiClient.Response r = gw.admin().send(req);
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
        }
        ApiClient.Response other = gw.post("/api/send-message", "{\"connection_id\":\"" + ID
                + "\",\"to\":\"923007770402\",\"message\":\"behind the bulk\",\"client_message_id\":\"behind-1\"}");
        assertThat(other.status()).as(other.raw()).isEqualTo(200);
        assertThat(other.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        String bulkQueued = "SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id LIKE 'bulk-%' AND status = 'queued'";
        assertThat(gw.count(bulkQueued, ID)).as("the bulk chat still waits for its held ack").isGreaterThanOrEqualTo(79);

        for (long deadline = System.nanoTime() + 120_000_000_000L; gw.count(bulkQueued, ID) > 0 && System.nanoTime() < deadline; ) {
            GatewayHarness.sleep(200);
        }
        var jdbc = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
        List<String> sent = jdbc.sql("SELECT provider_message_id FROM messages WHERE connection_id = ? AND client_message_id LIKE 'bulk-%'"
                + " AND status IN ('sent', 'delivered', 'read')").param(ID).query(String.class).list();
        assertThat(sent).hasSize(80);
        for (String providerId : sent) {
            assertThat(gw.sandboxSentCount(ID, providerId)).as(providerId).isEqualTo(1);
        }
    }

    /**
     * WhatsApp holds back the server ack of the next message to {@code phone} for {@code ms}
     * (emulator {@code /control/hold-acks}; only that chat's message: Baileys' own are not held).
     */
    private static void holdAck(String phone, int ms) throws Exception {
        var engine = gw.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        var args = engine.newArgs();
        args.put("count", 1);
        args.put("ms", ms);
        args.put("to", phone);
        assertThat(engine.sandbox("holdAcks", ID, args).get(30, java.util.concurrent.TimeUnit.SECONDS).path("pending").asInt()).isEqualTo(1);
    }

    @Test
    void aFailingStatementStoresNothingOfItsBatch() {
        QueuedInserts inserts = gw.bean(QueuedInserts.class);
        // a NUL character cannot be stored in a PostgreSQL text column: the middle row fails the statement
        List<NewQueued> batch = List.of(queued("atomic-1", "fine"), queued("atomic-2", "bad\u0000row"), queued("atomic-3", "fine"));
        assertThatThrownBy(() -> inserts.insertAll(batch)).isInstanceOf(DataAccessException.class);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id LIKE 'atomic-%'", ID))
                .isZero();
        // the same good rows alone are stored, in order, each answered with its own row
        List<Optional<MessageRow>> stored = inserts.insertAll(List.of(queued("atomic-1", "fine"), queued("atomic-3", "fine")));
        assertThat(stored).allSatisfy(r -> assertThat(r).isPresent());
        assertThat(stored.get(0).orElseThrow().clientMessageId()).isEqualTo("atomic-1");
        assertThat(stored.get(1).orElseThrow().clientMessageId()).isEqualTo("atomic-3");
        assertThat(stored.get(0).orElseThrow().createdAt()).isBefore(stored.get(1).orElseThrow().createdAt());
    }

    @Test
    void aMessageThatCouldNotBeStoredIsRefusedBeforeItJoinsABatch() {
        ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"" + ID
                + "\",\"to\":\"923007770100\",\"message\":\"bad\\u0000text\",\"client_message_id\":\"nul-1\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("invalid_character"); // refused while reading the JSON (StrictJsonConfig)
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'nul-1'", ID)).isZero();
    }

    @Test
    void aRepeatedIdInsideOneStatementIsStoredOnceAndTheRepeatGetsNothing() {
        QueuedInserts inserts = gw.bean(QueuedInserts.class);
        List<Optional<MessageRow>> stored = inserts.insertAll(List.of(queued("twice-1", "first"), queued("twice-1", "second")));
        assertThat(stored.get(0)).isPresent();
        assertThat(stored.get(1)).isEmpty();
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'twice-1'", ID)).isEqualTo(1);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'twice-1' AND body = 'first'",
                ID)).isEqualTo(1);
    }

    /**
     * A queued text to a chat of its own, as the send service builds it (the dispatcher's sweep
     * may send the stored ones meanwhile; these tests only look at what was stored).
     */
    private static NewQueued queued(String cid, String body) {
        return new NewQueued(UUID.randomUUID(), ID, "923007779999@s.whatsapp.net", "923007779999@s.whatsapp.net", "923007779999",
                body, "text", null, null, null, null, null, null, cid, WhatsappIds.newMessageId(), null, null,
                com.wagateway.whatsapp.EngineCommands.textContent(body.replace("\u0000", ""), List.of()), "hash-" + cid, Instant.now().plus(Duration.ofDays(1)));
    }
}
