package com.wagateway.bench;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookOutbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Scenario 3: events queued through the real outbox are delivered to a fast loopback receiver
 * (events/s); then a backlog queued while the receiver is down, and the time from the receiver
 * coming back until the backlog is drained; then steady streams of single-event transactions at
 * fixed rates, with each event's latency from its commit to its arrival at the receiver (what
 * the claimer's pacing, WEBHOOK_CLAIM_INTERVAL, costs).
 */
final class WebhookScenario {

    static final int CONNECTIONS = 20;

    private WebhookScenario() {
    }

    static Map<String, Object> run(GatewayHarness gw, BenchConfig c) {
        Map<String, Object> r = new LinkedHashMap<>();
        try (WebhookReceiver receiver = WebhookReceiver.up()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                String id = "bench_wh_" + i;
                gw.post("/api/connections", "{\"connection_id\":\"" + id + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
                ids.add(id);
            }
            int k = c.webhookEvents();
            long start = System.nanoTime();
            enqueue(gw, ids, k, "live");
            await(receiver, k);
            double seconds = (System.nanoTime() - start) / 1e9;
            r.put("connections", CONNECTIONS);
            r.put("events", k);
            r.put("delivered_per_second", Stats.round(k / seconds));

            receiver.stop();
            enqueue(gw, ids, k, "backlog");
            GatewayHarness.sleep(1500); // attempts fail (connection refused) and back off
            long up = System.nanoTime();
            receiver.start();
            await(receiver, 2 * k);
            r.put("backlog_events", k);
            r.put("backlog_drain_seconds", Math.round((System.nanoTime() - up) / 1e7) / 100.0);
            r.put("backlog_drained_per_second", Stats.round(k / ((System.nanoTime() - up) / 1e9)));
            for (int rate : STEADY_RATES) {
                r.put("steady_" + rate + "_per_second", steady(gw, ids, receiver, rate, Math.max(10, Math.min(rate * 5, k / 4))));
            }
        }
        return r;
    }

    /** Events per second of the steady streams (spread over the connections). */
    static final int[] STEADY_RATES = {20, 200};

    /**
     * {@code count} events, one transaction each, committed on a fixed schedule at {@code rate} a
     * second; latency from each commit to its arrival (both clocks are this JVM's nanoTime).
     */
    private static Map<String, Object> steady(GatewayHarness gw, List<String> ids, WebhookReceiver receiver, int rate, int count) {
        WebhookOutbox outbox = gw.bean(WebhookOutbox.class);
        TransactionTemplate tx = gw.bean(TransactionTemplate.class);
        int before = receiver.accepted().size();
        String tag = "steady-" + rate;
        long[] committed = new long[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * 1_000_000_000L / rate;
            while (System.nanoTime() < due) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            }
            WebhookEvent e = event(ids.get(i % ids.size()), tag, i);
            tx.executeWithoutResult(s -> outbox.enqueue(List.of(e)));
            committed[i] = System.nanoTime();
        }
        await(receiver, before + count);
        long[] latencies = new long[count];
        int n = 0;
        for (WebhookReceiver.Received got : receiver.accepted()) {
            var body = got.json();
            if (tag.equals(body.path("bench").asString(""))) {
                latencies[n++] = got.atNanos() - committed[body.path("seq").asInt()];
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", count);
        m.put("latency", Stats.latencies(java.util.Arrays.copyOf(latencies, n)));
        return m;
    }

    /** Queues {@code k} events spread over the connections, in transactions of 1000 (as producers do). */
    private static void enqueue(GatewayHarness gw, List<String> ids, int k, String tag) {
        WebhookOutbox outbox = gw.bean(WebhookOutbox.class);
        TransactionTemplate tx = gw.bean(TransactionTemplate.class);
        List<WebhookEvent> batch = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            batch.add(event(ids.get(i % ids.size()), tag, i));
            if (batch.size() == 1000 || i == k - 1) {
                List<WebhookEvent> now = List.copyOf(batch);
                tx.executeWithoutResult(s -> outbox.enqueue(now));
                batch.clear();
            }
        }
    }

    /** A message.status event of the connection, tagged with the run and its sequence number. */
    private static WebhookEvent event(String connectionId, String tag, int seq) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", "message.status");
        p.put("connection_id", connectionId);
        p.put("bench", tag);
        p.put("seq", seq);
        return new WebhookEvent(connectionId, "message.status", p);
    }

    private static void await(WebhookReceiver receiver, int total) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (receiver.accepted().size() < total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
    }
}
