package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.support.WebhookReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Webhook delivery end to end: real PostgreSQL, the sandbox engine, real HTTP receivers on
 * loopback. Retries are short (harness defaults: 100 ms base, 500 ms cap).
 */
class WebhookDeliveryIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("webhooks"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void connectionStatusEventsAreSignedWithTheSecretFromPut() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_status");
            JsonNode put = putWebhook("wh_status", rx.url(), null);
            String secret = put.path("secret").asString();
            assertThat(secret).startsWith("whsec_");
            ApiClient.Response get = gw.get("/api/connections/wh_status/webhook");
            assertThat(get.json().has("secret")).isFalse();
            assertThat(get.raw()).doesNotContain(secret);
            assertThat(gw.get("/api/connections/wh_status").raw()).doesNotContain(secret);

            assertThat(gw.get("/api/get-qr/wh_status").json().path("status").asString()).isEqualTo("qr_ready");
            assertThat(gw.post("/api/sandbox/wh_status/scan", "{\"phone\":\"923001112223\"}").status()).isEqualTo(200);
            List<WebhookReceiver.Received> got = rx.await(l -> l.stream()
                    .anyMatch(r -> "ready".equals(r.json().path("status").asString())), Duration.ofSeconds(15));

            long now = Instant.now().getEpochSecond();
            for (WebhookReceiver.Received r : got) {
                assertThat(r.contentType()).startsWith("application/json");
                assertThat(r.event()).isEqualTo("connection.status");
                assertThat(r.id()).matches("[0-9a-f-]{36}");
                assertThat(Long.parseLong(r.timestamp())).isBetween(now - 60, now + 5);
                assertThat(r.signature()).isEqualTo(WebhookSignature.sign(secret, Long.parseLong(r.timestamp()), r.body()));
                assertThat(r.signature()).isEqualTo("sha256=" + WebhookSignatureTest.Hmac.hex(secret, r.timestamp() + "." + r.body()));
                JsonNode j = r.json();
                assertThat(j.path("event").asString()).isEqualTo("connection.status");
                assertThat(j.path("connection_id").asString()).isEqualTo("wh_status");
                assertThat(j.has("reason")).isTrue();
                assertThat(j.has("phone")).isTrue();
                assertThat(Instant.parse(j.path("timestamp").asString())).isNotNull();
            }
            List<String> statuses = got.stream().map(r -> r.json().path("status").asString()).toList();
            assertThat(statuses).containsSubsequence("initializing", "qr_ready", "authenticated", "ready");
            JsonNode ready = got.stream().map(WebhookReceiver.Received::json)
                    .filter(j -> "ready".equals(j.path("status").asString())).findFirst().orElseThrow();
            assertThat(ready.path("phone").asString()).isEqualTo("923001112223");
            assertThat(got.stream().map(WebhookReceiver.Received::id).distinct().count()).isEqualTo(got.size());
        }
    }

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
    void downThen503ThenUpDeliversEveryEventOnceInOrder() {
        try (WebhookReceiver rx = WebhookReceiver.down()) {
            List<WebhookDeliveryChanged> changes = gw.recordEvents(WebhookDeliveryChanged.class);
            create("wh_retry");
            putWebhook("wh_retry", rx.url(), null);
            assertThat(enqueue("wh_retry", 12)).isEqualTo(12);
            awaitLogs("wh_retry", logs -> logs.stream().filter(l -> "connection refused".equals(l.path("error").asString())).count() >= 2);

            AtomicInteger unavailable = new AtomicInteger(3);
            rx.answer(r -> unavailable.getAndDecrement() > 0 ? Answer.of(503) : Answer.of(200)).start();
            List<WebhookReceiver.Received> all = rx.await(l -> l.stream().filter(r -> r.status() == 200).count() >= 12,
                    Duration.ofSeconds(30));
            // every event delivered (final): nothing is left that could be sent again
            awaitNothingPending("wh_retry");
            List<WebhookReceiver.Received> ok = rx.accepted();
            assertThat(ok).hasSize(12);
            assertThat(ok.stream().map(WebhookReceiver.Received::id).distinct().count()).as("each id once among successes").isEqualTo(12);
            assertThat(ok.stream().map(r -> r.json().path("seq").asInt()).toList()).as("in event order")
                    .containsExactlyElementsOf(IntStream.range(0, 12).boxed().toList());
            assertThat(all.stream().filter(r -> r.status() == 503)).hasSize(3);

            List<JsonNode> logs = allLogs("wh_retry");
            assertThat(logs.stream().filter(l -> l.path("response_status").asInt() == 503
                    && "retrying".equals(l.path("state").asString()))).hasSize(3);
            assertThat(logs.stream().filter(l -> "delivered".equals(l.path("state").asString()))).hasSize(12);
            assertThat(logs.stream().filter(l -> "connection refused".equals(l.path("error").asString()))
                    .allMatch(l -> l.path("response_status").isNull() && "retrying".equals(l.path("state").asString()))).isTrue();
            // the application event (what the dashboard's webhook.delivery carries) says why too
            assertThat(changes.stream().filter(c -> c.connectionId().equals("wh_retry") && "retrying".equals(c.state())
                    && c.responseStatus() == null).map(WebhookDeliveryChanged::error)).isNotEmpty().containsOnly("connection refused");
            JsonNode first = logs.get(logs.size() - 1);
            assertThat(first.path("attempt").asInt()).isEqualTo(1);
            assertThat(first.path("request_payload").path("seq").asInt()).isZero();
            assertThat(first.path("event_state").asString()).isEqualTo("delivered");

            JsonNode health = gw.get("/api/connections/wh_retry/webhook").json().path("health");
            assertThat(health.path("pending").asLong()).isZero();
            assertThat(health.path("retrying").asLong()).isZero();
            assertThat(health.path("delivered").asLong()).isEqualTo(12);
            assertThat(health.path("consecutive_failures").asInt()).isZero();
            assertThat(health.hasNonNull("last_success_at")).isTrue();
            assertThat(health.hasNonNull("last_failure_at")).isTrue();
        }
    }

    @Test
    void a400FailsAfterOneAttempt() {
        try (WebhookReceiver rx = WebhookReceiver.up().answer(r -> new Answer(400, "bad payload", Map.of()))) {
            List<WebhookDeliveryChanged> changes = gw.recordEvents(WebhookDeliveryChanged.class);
            create("wh_400");
            putWebhook("wh_400", rx.url(), null);
            enqueue("wh_400", 1);
            List<JsonNode> logs = awaitLogs("wh_400", l -> !l.isEmpty());
            awaitNothingPending("wh_400");
            WebhookDeliveryChanged change = awaitChange(changes, "wh_400");
            assertThat(change.state()).isEqualTo("failed");
            assertThat(change.responseStatus()).isEqualTo(400);
            assertThat(change.attempt()).isEqualTo(1);
            assertThat(change.eventType()).isEqualTo("message.received");
            assertThat(change.latencyMs()).isNotNull();
            assertThat(change.eventId().toString()).isEqualTo(rx.received().get(0).id());
            logs = allLogs("wh_400");
            assertThat(logs).hasSize(1);
            assertThat(rx.received()).hasSize(1);
            JsonNode l = logs.get(0);
            assertThat(l.path("state").asString()).isEqualTo("failed");
            assertThat(l.path("event_state").asString()).isEqualTo("failed");
            assertThat(l.path("response_status").asInt()).isEqualTo(400);
            assertThat(l.path("response_body").asString()).isEqualTo("bad payload");
            assertThat(l.path("attempt").asInt()).isEqualTo(1);
            assertThat(l.path("latency_ms").asInt()).isNotNegative();
            assertThat(gw.get("/api/connections/wh_400/webhook").json().path("health").path("failed").asLong()).isEqualTo(1);
            // the status filter and the cursor
            assertThat(gw.get("/api/connections/wh_400/webhook-logs?status=failed").json().path("logs")).hasSize(1);
            assertThat(gw.get("/api/connections/wh_400/webhook-logs?status=delivered").json().path("logs")).isEmpty();
            assertThat(gw.get("/api/connections/wh_400/webhook-logs?status=weird").status()).isEqualTo(400);
        }
    }

    @Test
    void a429WithRetryAfterIsRetriedNoSoonerThanAsked() {
        AtomicInteger calls = new AtomicInteger();
        try (WebhookReceiver rx = WebhookReceiver.up().answer(r -> calls.incrementAndGet() == 1
                ? new Answer(429, "slow down", Map.of("Retry-After", "2")) : Answer.of(200))) {
            create("wh_429");
            putWebhook("wh_429", rx.url(), null);
            enqueue("wh_429", 1);
            List<WebhookReceiver.Received> got = rx.await(l -> l.size() >= 2, Duration.ofSeconds(15));
            assertThat(got.get(0).status()).isEqualTo(429);
            assertThat(got.get(1).status()).isEqualTo(200);
            assertThat(got.get(1).id()).isEqualTo(got.get(0).id());
            assertThat(Duration.ofNanos(got.get(1).atNanos() - got.get(0).atNanos())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            JsonNode retry = allLogs("wh_429").stream().filter(l -> l.path("response_status").asInt() == 429).findFirst().orElseThrow();
            assertThat(retry.path("state").asString()).isEqualTo("retrying");
            assertThat(Instant.parse(retry.path("next_attempt_at").asString()))
                    .isAfterOrEqualTo(Instant.parse(retry.path("created_at").asString()).plusMillis(1900));
        }
    }

    @Test
    void redeliverResendsTheStoredPayloadWithTheSameId() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_redeliver");
            putWebhook("wh_redeliver", rx.url(), null);
            enqueue("wh_redeliver", 1);
            WebhookReceiver.Received first = rx.await(l -> l.size() == 1, Duration.ofSeconds(10)).get(0);
            awaitLogs("wh_redeliver", l -> !l.isEmpty());
            ApiClient.Response r = gw.post("/api/webhook-logs/" + first.id() + "/redeliver", null);
            assertThat(r.status()).isEqualTo(202);
            assertThat(r.json().path("event_id").asString()).isEqualTo(first.id());
            WebhookReceiver.Received second = rx.await(l -> l.size() == 2, Duration.ofSeconds(10)).get(1);
            assertThat(second.id()).isEqualTo(first.id());
            assertThat(second.body()).isEqualTo(first.body());
            assertThat(second.event()).isEqualTo(first.event());
            List<JsonNode> logs = awaitLogs("wh_redeliver", l -> l.size() == 2);
            assertThat(logs.get(0).path("attempt").asInt()).isEqualTo(2);
            assertThat(gw.post("/api/webhook-logs/00000000-0000-0000-0000-000000000000/redeliver", null).status()).isEqualTo(404);
            assertThat(gw.post("/api/webhook-logs/not-a-uuid/redeliver", null).status()).isEqualTo(404);
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

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            GatewayHarness.sleep(50);
        }
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
        assertThat(w.path("events")).hasSize(4);

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

    @Test
    void aBacklogOfManyConnectionsIsDeliveredInOrderPerConnection() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            int connections = 10;
            int perConnection = 100;
            for (int c = 0; c < connections; c++) {
                create("wh_bulk_" + c);
                putWebhook("wh_bulk_" + c, rx.url(), null);
            }
            long start = System.nanoTime();
            TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
            tx.executeWithoutResult(s -> gw.bean(WebhookOutbox.class).enqueue(IntStream.range(0, connections * perConnection)
                    .mapToObj(i -> event("wh_bulk_" + (i % connections), "message.received", i / connections)).toList()));
            rx.await(l -> l.size() >= connections * perConnection, Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("webhook backlog: %d events over %d connections in %.2f s (%.0f/s)%n",
                    connections * perConnection, connections, seconds, connections * perConnection / seconds);
            List<WebhookReceiver.Received> got = rx.received();
            assertThat(got).hasSize(connections * perConnection);
            for (int c = 0; c < connections; c++) {
                String id = "wh_bulk_" + c;
                assertThat(got.stream().filter(r -> id.equals(r.json().path("connection_id").asString()))
                        .map(r -> r.json().path("seq").asInt()).toList()).as(id)
                        .containsExactlyElementsOf(IntStream.range(0, perConnection).boxed().toList());
            }
        }
    }

    // ---- helpers

    static void create(String id) {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"" + id + "\"}").status()).isEqualTo(201);
    }

    static JsonNode putWebhook(String id, String url, List<String> events) {
        String body = "{\"url\":\"" + url + "\"" + (events == null ? "" : ",\"events\":["
                + String.join(",", events.stream().map(e -> "\"" + e + "\"").toList()) + "]") + "}";
        ApiClient.Response r = gw.admin().put("/api/connections/" + id + "/webhook", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    static WebhookEvent event(String connectionId, String type, int seq) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", type);
        p.put("connection_id", connectionId);
        p.put("seq", seq);
        return new WebhookEvent(connectionId, type, p);
    }

    /** Queues {@code n} message.received events (seq 0..n-1) in one transaction, as the messaging code will. */
    static int enqueue(String connectionId, int n) {
        TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
        return tx.execute(s -> gw.bean(WebhookOutbox.class).enqueue(
                IntStream.range(0, n).mapToObj(i -> event(connectionId, "message.received", i)).toList()));
    }

    /** Every log row of a connection, newest first, following the cursor. */
    static List<JsonNode> allLogs(String connectionId) {
        List<JsonNode> all = new ArrayList<>();
        String before = null;
        do {
            JsonNode page = gw.get("/api/connections/" + connectionId + "/webhook-logs?limit=5"
                    + (before == null ? "" : "&before=" + before)).json();
            page.path("logs").forEach(all::add);
            before = page.path("next_before").isNull() ? null : page.path("next_before").asString();
        } while (before != null);
        return all;
    }

    /**
     * Waits until no delivery of the connection is pending or retrying: each is final, so no
     * further attempt can happen (a positive signal instead of waiting and seeing nothing).
     */
    static void awaitNothingPending(String connectionId) {
        String sql = "SELECT count(*) FROM webhook_deliveries WHERE connection_id = ? AND state IN ('pending', 'retrying')";
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (gw.count(sql, connectionId) > 0 && System.nanoTime() < deadline) {
            GatewayHarness.sleep(50);
        }
        assertThat(gw.count(sql, connectionId)).as("deliveries of " + connectionId + " still pending").isZero();
    }

    /** The first published delivery change of the connection, waited for. */
    static WebhookDeliveryChanged awaitChange(List<WebhookDeliveryChanged> changes, String connectionId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Optional<WebhookDeliveryChanged> c = changes.stream().filter(x -> x.connectionId().equals(connectionId)).findFirst();
            if (c.isPresent()) {
                return c.get();
            }
            GatewayHarness.sleep(25);
        }
        throw new AssertionError("no delivery change for " + connectionId);
    }

    static List<JsonNode> awaitLogs(String connectionId, java.util.function.Predicate<List<JsonNode>> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<JsonNode> logs = List.of();
        while (System.nanoTime() < deadline) {
            logs = allLogs(connectionId);
            if (until.test(logs)) {
                return logs;
            }
            GatewayHarness.sleep(50);
        }
        throw new AssertionError("logs of " + connectionId + " did not reach the expected state: " + logs);
    }
}
