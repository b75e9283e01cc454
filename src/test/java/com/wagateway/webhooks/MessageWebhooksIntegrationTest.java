package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Message events reach the connection's webhook: an inbound sandbox message arrives with the
 * seed's four fields exactly and a signature verified here with the secret; a reply to a message
 * we sent carries its client_message_id; sends and receipts arrive as message.sent/message.status.
 */
class MessageWebhooksIntegrationTest {

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    static String secret;
    static final String ID = "wh_messages";
    static final String PEER = "923001112299";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("message-webhooks"));
        receiver = WebhookReceiver.up();
        ApiClient.Response created = gw.post("/api/connections",
                "{\"connection_id\":\"" + ID + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        secret = created.json().path("webhook_secret").asString();
        gw.link(ID, "923009990077");
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    @Test
    void anInboundMessageArrivesWithTheSeedFieldsAndAVerifiableSignature() throws Exception {
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/inbound",
                "{\"from\":\"" + PEER + "\",\"message\":\"hello gateway\",\"push_name\":\"Sara\"}");
        String pid = in.json().path("provider_message_id").asString();
        WebhookReceiver.Received r = awaitEvent("message.received", j -> pid.equals(j.path("provider_message_id").asString()));
        JsonNode p = r.json();
        List<String> keys = new ArrayList<>();
        p.propertyNames().forEach(keys::add);
        assertThat(keys.subList(0, 4)).containsExactly("from", "message", "provider_message_id", "connection_id");
        assertThat(r.body()).startsWith("{\"from\":\"" + PEER + "\",\"message\":\"hello gateway\",\"provider_message_id\":\""
                + pid + "\",\"connection_id\":\"" + ID + "\",");
        assertThat(p.path("event").asString()).isEqualTo("message.received");
        assertThat(p.path("type").asString()).isEqualTo("text");
        assertThat(p.path("chat_id").asString()).isEqualTo(PEER + "@s.whatsapp.net");
        assertThat(p.path("push_name").asString()).isEqualTo("Sara");
        assertThat(p.path("is_group").asBoolean()).isFalse();
        assertThat(p.path("in_reply_to").isNull()).isTrue();
        assertThat(p.path("message_id").asString()).matches("[0-9a-f-]{36}");
        // the receiver's check: HMAC-SHA256(secret, timestamp + "." + raw body)
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(
                mac.doFinal((r.timestamp() + "." + r.body()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(r.signature()).isEqualTo(expected);
        assertThat(r.contentType()).startsWith("application/json");
    }

    @Test
    void aReplyToASentMessageCarriesItsClientMessageId() {
        ApiClient.Response sent = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"message\":\"Your question here\",\"client_message_id\":\"wh-ask-1\"}");
        assertThat(sent.status()).as(sent.raw()).isEqualTo(200);
        String ours = sent.json().path("provider_message_id").asString();
        awaitEvent("message.sent", j -> "wh-ask-1".equals(j.path("client_message_id").asString())
                && j.path("from_phone").isBoolean() && !j.path("from_phone").asBoolean());
        awaitEvent("message.status", j -> "wh-ask-1".equals(j.path("client_message_id").asString())
                && "read".equals(j.path("status").asString()));
        gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"true\",\"reply_to_provider_message_id\":\""
                + ours + "\"}");
        WebhookReceiver.Received r = awaitEvent("message.received", j -> "true".equals(j.path("message").asString()));
        assertThat(r.json().path("in_reply_to").path("client_message_id").asString()).isEqualTo("wh-ask-1");
        assertThat(r.json().path("in_reply_to").path("provider_message_id").asString()).isEqualTo(ours);
    }

    /**
     * WhatsApp can deliver text with NUL characters, which PostgreSQL cannot store. The message is
     * stored (NUL as U+FFFD, marked sanitized) and its webhook delivered; it is never dropped.
     */
    @Test
    void anInboundMessageWithNulCharactersIsStoredAndDelivered() {
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/inbound",
                "{\"from\":\"" + PEER + "\",\"message\":\"nul\\u0000here\",\"push_name\":\"Sa\\u0000ra\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String pid = in.json().path("provider_message_id").asString();
        WebhookReceiver.Received r = awaitEvent("message.received", j -> pid.equals(j.path("provider_message_id").asString()));
        assertThat(r.json().path("message").asString()).isEqualTo("nul\uFFFDhere");
        assertThat(r.json().path("push_name").asString()).isEqualTo("Sa\uFFFDra");
        assertThat(r.json().path("sanitized").asBoolean()).isTrue();
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id = ? "
                + "AND body = ? AND push_name = ? AND sanitized AND content::text LIKE ?", ID, pid,
                "nul\uFFFDhere", "Sa\uFFFDra", "%nul\uFFFDhere%")).isEqualTo(1);
        // an ordinary message is not marked (its own clean push name: a contact's push name sticks
        // to its later messages, as WhatsApp's notify attribute does)
        ApiClient.Response plain = gw.post("/api/sandbox/" + ID + "/inbound",
                "{\"from\":\"" + PEER + "\",\"message\":\"plain\",\"push_name\":\"Sara\"}");
        String plainId = plain.json().path("provider_message_id").asString();
        WebhookReceiver.Received p = awaitEvent("message.received", j -> plainId.equals(j.path("provider_message_id").asString()));
        assertThat(p.json().path("sanitized").isBoolean()).isTrue();
        assertThat(p.json().path("sanitized").asBoolean()).isFalse();
    }

    @Test
    void historyDoesNotTriggerWebhooks() {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND from_history", ID) == 0
                && System.nanoTime() < deadline) {
            GatewayHarness.sleep(100);
        }
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND from_history", ID)).isGreaterThan(0);
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries d JOIN messages m ON (d.body::jsonb)->>'message_id' = m.id::text "
                + "WHERE m.from_history")).isZero();
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = ? AND event_type = 'message.received'", ID))
                .isLessThanOrEqualTo(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND direction = 'inbound' "
                        + "AND NOT from_history", ID));
    }

    static WebhookReceiver.Received awaitEvent(String event, java.util.function.Predicate<JsonNode> match) {
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream()
                .anyMatch(r -> event.equals(r.event()) && match.test(r.json())), Duration.ofSeconds(15));
        return got.stream().filter(r -> event.equals(r.event()) && match.test(r.json())).findFirst().orElseThrow();
    }
}
