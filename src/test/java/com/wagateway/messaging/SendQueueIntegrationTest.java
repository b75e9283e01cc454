package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineSupervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The send queue across disconnects and restarts: messages accepted while the connection is
 * reconnecting go out once it is ready, in order per chat; pacing queues bursts; a queued
 * message survives a kill -9 of the engine and a restart of the service and is sent exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SendQueueIntegrationTest {

    static Path dir;
    static GatewayHarness gw;

    static Map<String, String> settings() {
        Map<String, String> s = GatewayHarness.defaults(dir);
        s.put("gateway.lifecycle.reconnect-base", "3s");
        s.put("gateway.lifecycle.reconnect-max", "3s");
        // one send per 10 s beyond the burst of 2: the burst test's first two sends (each waiting
        // for WhatsApp's server ack) must take less than one refill, also on a loaded machine
        s.put("gateway.messaging.send-rate-per-minute", "6");
        s.put("gateway.messaging.send-burst", "2");
        return s;
    }

    @BeforeAll
    static void start() {
        dir = GatewayHarness.tempDataDir("send-queue");
        gw = GatewayHarness.start(settings());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    @Order(1)
    void queuedWhileReconnectingThenSentInOrderPerChat() {
        String id = "q_reconnect";
        gw.link(id, "923008880001");
        assertThat(gw.post("/api/sandbox/" + id + "/drop", "{\"code\":428}").status()).isEqualTo(200);
        gw.awaitStatus(id, "reconnecting", Duration.ofSeconds(5));
        List<String> chatA = List.of("a-1", "a-2", "a-3");
        for (String cid : chatA) {
            ApiClient.Response r = send(id, "923001230001", "in order " + cid, cid);
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(r.json().path("status").asString()).isEqualTo("queued");
            assertThat(r.json().path("queued_reason").asString()).isEqualTo("reconnecting");
        }
        assertThat(send(id, "923001230002", "other chat", "b-1").status()).isEqualTo(202);
        gw.awaitStatus(id, "ready", Duration.ofSeconds(10));
        for (String cid : List.of("a-1", "a-2", "a-3", "b-1")) {
            // paced: the last of the four goes out about 20 s after the first two
            awaitMessage(id, cid, m -> !"queued".equals(m.path("status").asString()), Duration.ofSeconds(40));
        }
        List<String> order = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("SELECT client_message_id FROM messages WHERE connection_id = ? AND chat_jid = ? ORDER BY sent_at")
                .params(id, "923001230001@s.whatsapp.net").query(String.class).list();
        assertThat(order).containsExactlyElementsOf(chatA);
        for (String cid : List.of("a-1", "a-2", "a-3", "b-1")) {
            assertThat(sentCount(id, message(id, cid).path("provider_message_id").asString())).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void burstsBeyondThePaceAreQueuedAndSaySo() {
        String id = "q_pacing";
        gw.link(id, "923008880002");
        assertThat(send(id, "923001230003", "one", "p-1").status()).isEqualTo(200);
        assertThat(send(id, "923001230003", "two", "p-2").status()).isEqualTo(200);
        ApiClient.Response third = send(id, "923001230003", "three", "p-3");
        assertThat(third.status()).as(third.raw()).isEqualTo(202);
        assertThat(third.json().path("queued_reason").asString()).isEqualTo("pacing");
        assertThat(third.json().hasNonNull("send_after")).isTrue();
        JsonNode sent = awaitMessage(id, "p-3", m -> !"queued".equals(m.path("status").asString()), Duration.ofSeconds(30));
        assertThat(sent.path("status").asString()).isIn("sent", "delivered", "read");
    }

    @Test
    @Order(3)
    void aQueuedMessageSurvivesAnEngineKillAndAServiceRestartAndIsSentOnce() throws Exception {
        String id = "q_restart";
        gw.link(id, "923008880003");
        long pid = gw.bean(EngineSupervisor.class).pid();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        gw.awaitStatus(id, "reconnecting", Duration.ofSeconds(5));
        ApiClient.Response r = send(id, "923001230004", "survivor", "survivor-1");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        assertThat(message(id, "survivor-1").path("status").asString()).isEqualTo("queued");
        gw.close();
        gw = GatewayHarness.start(settings());
        gw.awaitStatus(id, "ready", Duration.ofSeconds(20));
        JsonNode m = awaitMessage(id, "survivor-1", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(20));
        assertThat(m.path("status").asString()).isIn("sent", "delivered", "read");
        // one attempt, or two when the first service's restarted engine was ready in the moment
        // before it stopped and its attempt was cut by the stop (a CI run: "428 Connection Closed")
        assertThat(m.path("attempts").asInt()).isBetween(1, 2);
        // that attempt may also have reached WhatsApp before the stop: the emulator's contact
        // remembers across the restart and counts an id once, as WhatsApp dedupes a message id,
        // so WhatsApp got it exactly once either way
        assertThat(sentCount(id, m.path("provider_message_id").asString())).isEqualTo(1);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'survivor-1'", id)).isEqualTo(1);
    }

    @Test
    @Order(4)
    void aQueuedMediaMessageHoldsOnlyItsHashAndFailsClearlyWhenItsFileIsGone() throws Exception {
        String id = "q_media";
        gw.link(id, "923008880004");
        String to = "923001230005";
        assertThat(send(id, to, "one", "qm-0a").status()).isEqualTo(200);
        assertThat(send(id, to, "two", "qm-0b").status()).isEqualTo(200);
        byte[] gone = RichSendIntegrationTest.withHeader("%PDF-1.4 gone".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 3000);
        byte[] kept = RichSendIntegrationTest.withHeader("%PDF-1.4 kept".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 3000);
        ApiClient.Response first = sendDocument(id, to, gone, "qm-1");
        ApiClient.Response second = sendDocument(id, to, kept, "qm-2");
        assertThat(first.status()).as(first.raw()).isEqualTo(202);
        assertThat(first.json().path("queued_reason").asString()).isEqualTo("pacing");
        assertThat(second.status()).as(second.raw()).isEqualTo(202);
        // queued: the row names the file by hash; the bytes are in the media store, not in the database
        String goneHash = RichSendIntegrationTest.sha256(gone);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'qm-1' AND status = 'queued'"
                + " AND media_state = 'stored' AND media_sha256 = ? AND outgoing->>'sha256' = ? AND outgoing->>'base64' IS NULL"
                + " AND length(outgoing::text) < 400", id, goneHash, goneHash)).isEqualTo(1);
        // the file disappears before its turn (retention, by hand): that message fails with the reason, the next one goes
        assertThat(gw.bean(com.wagateway.media.MediaStore.class).delete(goneHash)).isTrue();
        JsonNode failed = awaitMessage(id, "qm-1", m -> !"queued".equals(m.path("status").asString()), Duration.ofSeconds(40));
        assertThat(failed.path("status").asString()).isEqualTo("failed");
        assertThat(failed.path("error").asString()).contains("no longer stored");
        JsonNode sent = awaitMessage(id, "qm-2", m -> !"queued".equals(m.path("status").asString()), Duration.ofSeconds(40));
        assertThat(sent.path("status").asString()).isIn("sent", "delivered", "read");
        assertThat(gw.awaitSandboxSentContent(id, sent.path("provider_message_id").asString()).path("sha256").asString())
                .isEqualTo(RichSendIntegrationTest.sha256(kept));
        assertThat(sentCount(id, failed.path("provider_message_id").asString())).isZero();
    }

    /**
     * A crash can lose the outcome of an attempt that reached WhatsApp: the message is still queued
     * when its delivery receipt comes (kill -9 between the server ack and the commit). The receipt
     * proves WhatsApp has it, so it ends the queued state as that attempt: counted, sent_at set, the
     * outgoing content dropped — and the dispatcher never sends it again.
     */
    @Test
    @Order(5)
    void aReceiptForAMessageStillQueuedRecordsTheAttemptThatReachedWhatsapp() {
        String id = "q_receipt";
        String to = "923001230006";
        gw.link(id, "923008880005");
        assertThat(send(id, to, "one", "qr-1").status()).isEqualTo(200);
        assertThat(send(id, to, "two", "qr-2").status()).isEqualTo(200);
        ApiClient.Response paced = send(id, to, "three", "qr-3");
        assertThat(paced.status()).as(paced.raw()).isEqualTo(202);
        String pid = message(id, "qr-3").path("provider_message_id").asString();
        assertThat(pid).isNotBlank();

        gw.bean(com.wagateway.messaging.InboundMessages.class).onEvent(com.wagateway.whatsapp.EngineEvent.MessagesUpdated.from(id,
                GatewayHarness.JSON.readTree("{\"updates\":[{\"key\":{\"id\":\"" + pid + "\",\"remoteJid\":\"" + to
                        + "@s.whatsapp.net\",\"fromMe\":true},\"status\":\"delivered\",\"timestamp\":null,\"userJid\":null}]}")));

        // the inbound pipeline commits events in groups, on its own thread
        JsonNode m = awaitMessage(id, "qr-3", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(5));
        assertThat(m.path("status").asString()).isEqualTo("delivered");
        assertThat(m.path("attempts").asInt()).isEqualTo(1);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'qr-3'"
                + " AND outgoing IS NULL AND sent_at IS NOT NULL AND next_attempt_at IS NULL", id)).isEqualTo(1);
        // a later message of the same chat goes out; the delivered one was not sent again before it
        assertThat(send(id, to, "four", "qr-4").status()).isEqualTo(202);
        JsonNode marker = awaitMessage(id, "qr-4", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(40));
        assertThat(sentCount(id, marker.path("provider_message_id").asString())).isEqualTo(1);
        assertThat(sentCount(id, pid)).isZero();
    }

    /**
     * Baileys' event buffer merges a receipt that arrives while our message's own {@code append}
     * echo is still buffered (the first connection buffers events until the initial sync) into
     * that echo: the status comes only in the upsert, never as {@code messages.update}. It is
     * applied like a receipt, and an echo of the same status again changes nothing.
     */
    @Test
    @Order(6)
    void aReceiptMergedIntoTheEchoOfOurMessageIsAppliedAndAMergedErrorIsNot() {
        String id = "q_echo";
        String to = "923001230007";
        gw.link(id, "923008880006");
        // the burst goes out; the third waits for the pace (10 s): no automatic receipt can reach
        // it before the echo below, so only the echo can move it
        assertThat(send(id, to, "one", "qe-1").status()).isEqualTo(200);
        assertThat(send(id, to, "two", "qe-2").status()).isEqualTo(200);
        ApiClient.Response paced = send(id, to, "echoed", "qe-3");
        assertThat(paced.status()).as(paced.raw()).isEqualTo(202);
        String pid = message(id, "qe-3").path("provider_message_id").asString();
        assertThat(pid).isNotBlank();

        String echo = echo(pid, to, "delivered");
        InboundMessages inbound = gw.bean(InboundMessages.class);
        // a send's error ack merged into the echo ("failed") is not a receipt: the dispatcher
        // decides a send's failure from its reply, and this message was never even tried
        inbound.onEvent(com.wagateway.whatsapp.EngineEvent.MessagesUpserted.from(id, GatewayHarness.JSON.readTree(echo(pid, to, "failed"))));
        assertThat(message(id, "qe-3").path("status").asString()).isEqualTo("queued");
        // nor is the same error reported as a status update: only the dispatcher ends a queued message
        inbound.onEvent(com.wagateway.whatsapp.EngineEvent.MessagesUpdated.from(id, GatewayHarness.JSON.readTree(
                "{\"updates\":[{\"key\":{\"id\":\"" + pid + "\",\"remoteJid\":\"" + to + "@s.whatsapp.net\",\"fromMe\":true},"
                        + "\"status\":\"failed\",\"error\":\"500\"}]}")));
        assertThat(message(id, "qe-3").path("status").asString()).isEqualTo("queued");
        inbound.onEvent(com.wagateway.whatsapp.EngineEvent.MessagesUpserted.from(id, GatewayHarness.JSON.readTree(echo)));

        // applied at once, as a receipt is: the attempt that reached WhatsApp is recorded
        JsonNode m = message(id, "qe-3");
        assertThat(m.path("status").asString()).isEqualTo("delivered");
        assertThat(m.path("attempts").asInt()).isEqualTo(1);
        inbound.onEvent(com.wagateway.whatsapp.EngineEvent.MessagesUpserted.from(id, GatewayHarness.JSON.readTree(echo)));
        // the same echo again: still one row for that WhatsApp id, still one attempt
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id = ?", id, pid))
                .isEqualTo(1);
        assertThat(message(id, "qe-3").path("attempts").asInt()).isEqualTo(1);
        // a later message of the chat goes out; the delivered one was never sent again
        assertThat(send(id, to, "four", "qe-4").status()).isEqualTo(202);
        JsonNode marker = awaitMessage(id, "qe-4", x -> !"queued".equals(x.path("status").asString()), Duration.ofSeconds(40));
        assertThat(sentCount(id, marker.path("provider_message_id").asString())).isEqualTo(1);
        assertThat(sentCount(id, pid)).isZero();
    }

    /** The {@code append} echo of our message {@code pid} as the engine reports it, carrying a merged status. */
    static String echo(String pid, String to, String status) {
        return "{\"type\":\"append\",\"messages\":[{\"key\":{\"id\":\"" + pid + "\",\"remoteJid\":\"" + to
                + "@s.whatsapp.net\",\"fromMe\":true},\"timestamp\":1763700000,\"status\":\"" + status + "\","
                + "\"message\":{\"conversation\":\"echoed\"},\"parsed\":{\"type\":\"text\",\"text\":\"echoed\","
                + "\"chatJid\":\"" + to + "@s.whatsapp.net\",\"chatPhone\":\"" + to + "\",\"fromMe\":true,\"isGroup\":false}}]}";
    }

    static ApiClient.Response sendDocument(String id, String to, byte[] bytes, String cid) {
        return gw.post("/api/send-media", "{\"connection_id\":\"" + id + "\",\"to\":\"" + to + "\",\"type\":\"document\","
                + "\"media_base64\":\"" + java.util.Base64.getEncoder().encodeToString(bytes) + "\",\"file_name\":\"" + cid
                + ".pdf\",\"client_message_id\":\"" + cid + "\"}");
    }

    static ApiClient.Response send(String id, String to, String text, String cid) {
        return gw.post("/api/send-message", "{\"connection_id\":\"" + id + "\",\"to\":\"" + to + "\",\"message\":\"" + text
                + "\",\"client_message_id\":\"" + cid + "\"}");
    }

    static JsonNode message(String id, String cid) {
        return gw.message(id, cid);
    }

    static JsonNode awaitMessage(String id, String cid, Predicate<JsonNode> until, Duration timeout) {
        return gw.awaitMessage(id, cid, until, timeout);
    }

    static int sentCount(String id, String providerMessageId) {
        return gw.sandboxSentCount(id, providerMessageId);
    }
}
