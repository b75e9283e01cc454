package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Shared set-up of the webhook integration tests: one real gateway per test class (real
 * PostgreSQL, the sandbox engine; retries short: harness defaults 100 ms base, 500 ms cap) and
 * the helpers that create connections, set webhooks, queue events and wait for outcomes.
 */
abstract class WebhookIntegrationBase {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("webhooks"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

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

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            GatewayHarness.sleep(50);
        }
    }
}
