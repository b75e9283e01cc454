package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue survives the process: events pending while the receiver is down, and events whose
 * claim is held by an instance that crashed, are all delivered by the next instance.
 */
class WebhookRestartIntegrationTest {

    @Test
    void pendingDeliveriesSurviveARestartAndACrashedInstancesClaimComesBack() {
        Path data = GatewayHarness.tempDataDir("webhook-restart");
        try (WebhookReceiver rx = WebhookReceiver.down()) {
            try (GatewayHarness gw = GatewayHarness.start(data)) {
                for (String id : new String[] {"whr_down", "whr_crashed"}) {
                    assertThat(gw.post("/api/connections", "{\"connection_id\":\"" + id + "\",\"webhook_url\":\"" + rx.url() + "\"}")
                            .status()).isEqualTo(201);
                }
                // another instance claimed whr_crashed and died: its lease holds for a while
                gw.bean(JdbcClient.class).sql("UPDATE webhook_endpoints SET leased_by = 'crashed-instance', "
                        + "leased_until = now() + interval '12 seconds' WHERE connection_id = 'whr_crashed'").update();
                enqueue(gw, "whr_down", 5);
                enqueue(gw, "whr_crashed", 5);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (refusedAttempts(gw) < 2 && System.nanoTime() < deadline) {
                    GatewayHarness.sleep(50);
                }
                assertThat(refusedAttempts(gw)).isGreaterThanOrEqualTo(2);
                assertThat(gw.get("/api/connections/whr_crashed/webhook-logs").json().path("logs")).as("claimed elsewhere").isEmpty();
            } // the context stops with every event still pending

            rx.start();
            try (GatewayHarness gw = GatewayHarness.start(data)) {
                rx.await(l -> l.stream().filter(r -> r.status() == 200).count() >= 10, Duration.ofSeconds(40));
                // every event final: nothing is left that could be sent a second time
                String open = "SELECT count(*) FROM webhook_deliveries WHERE connection_id IN ('whr_down', 'whr_crashed') "
                        + "AND state IN ('pending', 'retrying')";
                long settled = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (gw.count(open) > 0 && System.nanoTime() < settled) {
                    GatewayHarness.sleep(50);
                }
                assertThat(gw.count(open)).isZero();
                List<WebhookReceiver.Received> ok = rx.accepted();
                assertThat(ok).hasSize(10);
                assertThat(ok.stream().map(WebhookReceiver.Received::id).distinct().count()).isEqualTo(10);
                for (String id : new String[] {"whr_down", "whr_crashed"}) {
                    assertThat(ok.stream().filter(r -> id.equals(r.json().path("connection_id").asString()))
                            .map(r -> r.json().path("seq").asInt()).toList()).as(id).containsExactly(0, 1, 2, 3, 4);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < deadline && gw.get("/api/connections/whr_crashed/webhook").json()
                        .path("health").path("delivered").asLong() < 5) {
                    GatewayHarness.sleep(50);
                }
                assertThat(gw.get("/api/connections/whr_down/webhook").json().path("health").path("delivered").asLong()).isEqualTo(5);
                assertThat(gw.get("/api/connections/whr_crashed/webhook").json().path("health").path("delivered").asLong()).isEqualTo(5);
            }
        }
    }

    private static long refusedAttempts(GatewayHarness gw) {
        return gw.get("/api/connections/whr_down/webhook-logs").json().path("logs").valueStream()
                .filter(l -> "connection refused".equals(l.path("error").asString())).count();
    }

    private static void enqueue(GatewayHarness gw, String connectionId, int n) {
        new TransactionTemplate(gw.bean(PlatformTransactionManager.class)).executeWithoutResult(s ->
                gw.bean(WebhookOutbox.class).enqueue(IntStream.range(0, n).mapToObj(i -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("event", "message.received");
                    p.put("connection_id", connectionId);
                    p.put("seq", i);
                    return new WebhookEvent(connectionId, "message.received", p);
                }).toList()));
    }
}
