package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.support.WebhookReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Webhook delivery end to end: signed events, retries on outages, 4xx and 429 handling,
 * redelivery and a backlog over many connections, with real HTTP receivers on loopback.
 */
class WebhookDeliveryIntegrationTest extends WebhookIntegrationBase {

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
}
