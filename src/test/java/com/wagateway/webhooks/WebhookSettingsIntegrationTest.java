package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.support.WebhookReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The webhook settings around delivery: the secret shown once and rotated, the test endpoint,
 * event filters and removal (nothing revived by an attempt in flight), bad input, another
 * user's webhook, metrics.
 */
class WebhookSettingsIntegrationTest extends WebhookIntegrationBase {

    @Test
    void creationWithAWebhookReturnsTheSecretOnce() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            ApiClient.Response r = gw.post("/api/connections",
                    "{\"connection_id\":\"wh_created\",\"webhook_url\":\"" + rx.url() + "\"}");
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().path("connection_id").asString()).isEqualTo("wh_created");
            assertThat(r.json().path("webhook_url").asString()).isEqualTo(rx.url());
            String secret = r.json().path("webhook_secret").asString();
            assertThat(secret).startsWith("whsec_");
            assertThat(gw.get("/api/connections/wh_created").raw()).doesNotContain(secret).doesNotContain("webhook_secret");
            JsonNode w = gw.get("/api/connections/wh_created/webhook").json();
            assertThat(w.path("url").asString()).isEqualTo(rx.url());
            assertThat(w.path("secret_set").asBoolean()).isTrue();
            assertThat(w.has("secret")).isFalse();
            // a second PUT (other filter) keeps the secret and does not show it
            JsonNode again = putWebhook("wh_created", rx.url(), List.of("message.received"));
            assertThat(again.has("secret")).isFalse();
            assertThat(again.path("events").valueStream().map(JsonNode::asString).toList()).containsExactly("message.received");
            // without a webhook no secret field at all
            ApiClient.Response plain = gw.post("/api/connections", "{\"connection_id\":\"wh_created_plain\"}");
            assertThat(plain.status()).isEqualTo(201);
            assertThat(plain.json().has("webhook_secret")).isFalse();
        }
    }

    @Test
    void testEndpointReturnsTheReceiversAnswerAndIsLogged() {
        try (WebhookReceiver rx = WebhookReceiver.up().answer(r -> new Answer(201, "hello from the receiver", Map.of()))) {
            create("wh_test");
            assertThat(gw.post("/api/connections/wh_test/webhook/test", null).status()).as("no webhook yet").isEqualTo(409);
            String secret = putWebhook("wh_test", rx.url(), null).path("secret").asString();
            ApiClient.Response r = gw.post("/api/connections/wh_test/webhook/test", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("response_status").asInt()).isEqualTo(201);
            assertThat(r.json().path("response_body").asString()).isEqualTo("hello from the receiver");
            assertThat(r.json().path("latency_ms").asLong()).isNotNegative();
            assertThat(r.json().path("delivered").asBoolean()).isTrue();
            WebhookReceiver.Received got = rx.received().get(0);
            assertThat(got.event()).isEqualTo("webhook.test");
            assertThat(got.json().path("event").asString()).isEqualTo("webhook.test");
            assertThat(got.id()).isEqualTo(r.json().path("event_id").asString());
            assertThat(got.signature()).isEqualTo(WebhookSignature.sign(secret, Long.parseLong(got.timestamp()), got.body()));
            JsonNode log = allLogs("wh_test").get(0);
            assertThat(log.path("test").asBoolean()).isTrue();
            assertThat(log.path("event_type").asString()).isEqualTo("webhook.test");
            assertThat(log.path("response_status").asInt()).isEqualTo(201);
        }
    }

    @Test
    void rotatingTheSecretSignsWithTheNewOne() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_rotate");
            String old = putWebhook("wh_rotate", rx.url(), null).path("secret").asString();
            ApiClient.Response r = gw.post("/api/connections/wh_rotate/webhook/rotate-secret", null);
            assertThat(r.status()).isEqualTo(200);
            String fresh = r.json().path("secret").asString();
            assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
            enqueue("wh_rotate", 1);
            WebhookReceiver.Received got = rx.await(l -> l.size() == 1, Duration.ofSeconds(10)).get(0);
            assertThat(got.signature()).isEqualTo(WebhookSignature.sign(fresh, Long.parseLong(got.timestamp()), got.body()));
            assertThat(gw.get("/api/connections/wh_rotate/webhook").raw()).doesNotContain(fresh).doesNotContain(old);
        }
    }

    @Test
    void theEventFilterAndMissingWebhooksSkipEvents() {
        create("wh_filter");
        putWebhook("wh_filter", "http://127.0.0.1:9/hook", List.of("message.received"));
        create("wh_none");
        TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
        Integer queued = tx.execute(s -> gw.bean(WebhookOutbox.class).enqueue(List.of(
                event("wh_filter", "message.received", 0), event("wh_filter", "message.status", 1),
                event("wh_filter", "connection.status", 2), event("wh_none", "message.received", 3),
                event("wh_unknown_conn", "message.received", 4))));
        assertThat(queued).isEqualTo(1);
        // a rolled-back transaction queues nothing
        tx.executeWithoutResult(s -> {
            gw.bean(WebhookOutbox.class).enqueue(List.of(event("wh_filter", "message.received", 5)));
            s.setRollbackOnly();
        });
        JsonNode health = gw.get("/api/connections/wh_filter/webhook").json().path("health");
        assertThat(health.path("pending").asLong() + health.path("retrying").asLong()
                + health.path("failed").asLong() + health.path("delivered").asLong()).isEqualTo(1);
        // removing the webhook drops what is queued (announced by the removal itself; an attempt in
        // flight at that moment cannot revive it: anAttemptInFlightWhenTheWebhookIsRemovedDoesNotReviveItsEvent)
        List<WebhookDeliveryChanged> changes = gw.recordEvents(WebhookDeliveryChanged.class);
        assertThat(gw.delete("/api/connections/wh_filter/webhook").status()).isEqualTo(200);
        assertThat(changes.stream().filter(c -> c.connectionId().equals("wh_filter")).map(WebhookDeliveryChanged::state))
                .contains("failed");
        awaitTrue("the removed webhook's event is failed", () -> gw.count(
                "SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'wh_filter' AND state <> 'failed'") == 0);
        JsonNode after = gw.get("/api/connections/wh_filter/webhook").json();
        assertThat(after.path("url").isNull()).isTrue();
        assertThat(after.path("secret_set").asBoolean()).isFalse();
        assertThat(after.path("health").path("pending").asLong() + after.path("health").path("retrying").asLong()).isZero();
    }

    /**
     * The race behind a flaky test (issue 12.8): an attempt claimed before the webhook was removed
     * finishes after it. Recording it must not set the event back to retrying (it would be sent
     * again by nobody, and announced as retrying forever), and it is reported as failed.
     */
    @Test
    void anAttemptInFlightWhenTheWebhookIsRemovedDoesNotReviveItsEvent() {
        create("wh_race");
        putWebhook("wh_race", "http://127.0.0.1:9/hook", null);
        TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
        tx.execute(s -> gw.bean(WebhookOutbox.class).enqueue(List.of(event("wh_race", "message.received", 0))));
        DeliveryRows.Delivery d = gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class).sql(
                "SELECT id, event_id, connection_id, event_type, body::text, attempts, retry_since FROM webhook_deliveries "
                        + "WHERE connection_id = 'wh_race'")
                .query((rs, n) -> new DeliveryRows.Delivery(rs.getLong(1), rs.getObject(2, java.util.UUID.class), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant())).single();
        assertThat(gw.delete("/api/connections/wh_race/webhook").status()).isEqualTo(200);

        DeliveryRows.Attempt late = new DeliveryRows.Attempt(d, "http://127.0.0.1:9/hook", d.attempts() + 1, null, null, 3L,
                "connection refused", "retrying", Instant.now().plusSeconds(1), false);
        List<DeliveryRows.Attempt> applied = tx.execute(s -> gw.bean(WebhookQueue.class).insertAttempts(List.of(late)));
        assertThat(applied).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("failed");
            assertThat(a.error()).isEqualTo("webhook removed");
        });
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE id = ? AND state = 'failed'", d.id())).isEqualTo(1);
        // a success is the truth even then: the receiver did get it
        DeliveryRows.Attempt delivered = new DeliveryRows.Attempt(d, "http://127.0.0.1:9/hook", d.attempts() + 2, 200, "", 3L,
                null, "delivered", null, false);
        List<DeliveryRows.Attempt> appliedDelivered = tx.execute(s -> gw.bean(WebhookQueue.class).insertAttempts(List.of(delivered)));
        assertThat(appliedDelivered.get(0).state()).isEqualTo("delivered");
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE id = ? AND state = 'delivered'", d.id())).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        create("wh_bad");
        putWebhook("wh_bad", "https://example.com/hook", null);
        for (String body : new String[] {"{\"url\":\"ftp://example.com/x\"}", "{\"url\":\"not a url\"}", "{}",
                "{\"url\":\"https://example.com/x#frag\"}"}) {
            ApiClient.Response r = gw.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gw.baseUrl() + "/api/connections/wh_bad/webhook")).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asString()).isEqualTo("invalid_url");
            assertThat(r.json().path("error").path("field").asString()).isEqualTo("url");
        }
        ApiClient.Response unknown = gw.admin().put("/api/connections/wh_bad/webhook",
                "{\"url\":\"https://example.org/other\",\"events\":[\"message.received\",\"message.deleted\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").path("code").asString()).isEqualTo("invalid_event");
        assertThat(unknown.json().path("error").path("field").asString()).isEqualTo("events");
        assertThat(gw.admin().put("/api/connections/wh_bad/webhook", "{\"url\":\"https://example.org/other\",\"events\":[]}")
                .status()).isEqualTo(400);
        JsonNode w = gw.get("/api/connections/wh_bad/webhook").json();
        assertThat(w.path("url").asString()).isEqualTo("https://example.com/hook");
        assertThat(w.path("filtered").asBoolean()).isFalse();
        assertThat(w.path("events").valueStream().map(JsonNode::asString).toList())
                .containsExactlyElementsOf(com.wagateway.webhooks.WebhookEventTypes.ALL);

        ApiClient.Response c = gw.post("/api/connections", "{\"connection_id\":\"wh_bad2\",\"webhook_url\":\"gopher://x\"}");
        assertThat(c.status()).isEqualTo(400);
        assertThat(c.json().path("error").path("field").asString()).isEqualTo("webhook_url");
        assertThat(gw.get("/api/connections/wh_bad2").status()).isEqualTo(404);
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"wh_bad3\",\"webhook_url\":\"https://example.com\","
                + "\"webhook_events\":[\"nope\"]}").status()).isEqualTo(400);
        assertThat(gw.get("/api/connections/wh_bad3").status()).isEqualTo(404);
        assertThat(gw.get("/api/connections/nope_nope/webhook").status()).isEqualTo(404);
        assertThat(gw.get("/api/connections/wh_bad/webhook-logs?limit=0").status()).isEqualTo(400);
        assertThat(gw.get("/api/connections/wh_bad/webhook-logs?before=x").status()).isEqualTo(400);
    }

    @Test
    void anotherUserCannotTouchAForeignWebhook() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_owned");
            putWebhook("wh_owned", rx.url(), null);
            enqueue("wh_owned", 1);
            String eventId = rx.await(l -> l.size() == 1, Duration.ofSeconds(10)).get(0).id();
            awaitLogs("wh_owned", l -> !l.isEmpty());

            assertThat(gw.post("/api/users", "{\"email\":\"hookbob@example.com\",\"password\":\"bob-password-123\"}").status())
                    .isEqualTo(201);
            ApiClient browser = gw.browser(true).login("hookbob@example.com", "bob-password-123");
            ApiClient bob = gw.withKey(browser.post("/api/api-keys", "{\"name\":\"k\"}").json().path("key").asString());
            List<ApiClient.Response> answers = new ArrayList<>();
            answers.add(bob.get("/api/connections/wh_owned/webhook"));
            answers.add(bob.put("/api/connections/wh_owned/webhook", "{\"url\":\"" + rx.url() + "\"}"));
            answers.add(bob.delete("/api/connections/wh_owned/webhook"));
            answers.add(bob.post("/api/connections/wh_owned/webhook/rotate-secret", null));
            answers.add(bob.post("/api/connections/wh_owned/webhook/test", null));
            answers.add(bob.get("/api/connections/wh_owned/webhook-logs"));
            for (ApiClient.Response r : answers) {
                assertThat(r.status()).as(r.raw()).isEqualTo(404);
                assertThat(r.json().path("error").path("code").asString()).isEqualTo("connection_not_found");
            }
            ApiClient.Response redeliver = bob.post("/api/webhook-logs/" + eventId + "/redeliver", null);
            assertThat(redeliver.status()).isEqualTo(404);
            assertThat(redeliver.json().path("error").path("code").asString()).isEqualTo("webhook_event_not_found");
            // bob's calls queued nothing, and what alice queued is final: nothing more can arrive
            assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'wh_owned'")).isEqualTo(1);
            awaitNothingPending("wh_owned");
            assertThat(rx.received()).hasSize(1);
            JsonNode w = gw.get("/api/connections/wh_owned/webhook").json();
            assertThat(w.path("url").asString()).isEqualTo(rx.url());
            // bob's own connection works
            assertThat(bob.post("/api/connections", "{\"connection_id\":\"wh_bobs\"}").status()).isEqualTo(201);
            assertThat(bob.put("/api/connections/wh_bobs/webhook", "{\"url\":\"" + rx.url() + "\"}").status()).isEqualTo(200);
        }
    }

    @Test
    void metricsAreExposedToAdmins() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_metrics");
            putWebhook("wh_metrics", rx.url(), null);
            enqueue("wh_metrics", 1);
            rx.await(l -> l.size() == 1, Duration.ofSeconds(10));
            awaitLogs("wh_metrics", l -> !l.isEmpty());
            ApiClient.Response r = gw.get("/actuator/prometheus");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.raw()).contains("webhook_deliveries_total{").contains("state=\"delivered\"")
                    .contains("webhook_delivery_latency_seconds");
            assertThat(gw.anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
        }
    }
}
