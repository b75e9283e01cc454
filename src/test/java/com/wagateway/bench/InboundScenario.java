package com.wagateway.bench;

import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.whatsapp.EngineClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Scenario 1: ready sandbox connections, each with a webhook to a live loopback receiver, flood
 * the gateway with inbound messages; measured from the engine's emission (stamped in the text) to
 * the after-commit event that follows storage and webhook queueing (the realtime relay emits on
 * that same event). Also reported: when the receiver had every message.received webhook.
 * Baseline: a plain batched JDBC insert of the same number of rows into the same table and database.
 */
final class InboundScenario {

    /** What the engine's sandbox.burst writes: {@code bench <emission epoch ms> <seq>}. */
    private static final java.util.regex.Pattern STAMP = java.util.regex.Pattern.compile("^bench (\\d{13}) \\d+$");

    private InboundScenario() {
    }

    static Map<String, Object> run(GatewayHarness gw, BenchConfig c) {
        try (WebhookReceiver receiver = WebhookReceiver.up()) {
            return run(gw, c, receiver);
        }
    }

    private static Map<String, Object> run(GatewayHarness gw, BenchConfig c, WebhookReceiver receiver) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < c.connections(); i++) {
            String id = "bench_in_" + i;
            gw.link(id, "92345" + String.format("%07d", i));
            ApiClient.Response hook = gw.admin().put("/api/connections/" + id + "/webhook",
                    "{\"url\":\"" + receiver.url() + "\",\"events\":[\"message.received\"]}");
            if (hook.status() != 200) {
                throw new IllegalStateException("webhook not set: " + hook.raw());
            }
            ids.add(id);
        }
        int perConnection = Math.max(1, c.inbound() / c.connections());
        int total = perConnection * c.connections();
        long[] latencies = new long[total];
        AtomicInteger seen = new AtomicInteger();
        AtomicLong lastNanos = new AtomicLong();
        gw.onEvent(MessageEvents.Stored.class, e -> {
            long nowMs = System.currentTimeMillis();
            for (MessageRow m : e.messages()) {
                java.util.regex.Matcher b = m.body() == null ? null : STAMP.matcher(m.body());
                if (b == null || !b.matches()) {
                    continue;
                }
                long emitted = Long.parseLong(b.group(1));
                int i = seen.getAndIncrement();
                if (i < latencies.length) {
                    latencies[i] = (nowMs - emitted) * 1_000_000L;
                }
            }
            lastNanos.set(System.nanoTime());
        });
        EngineClient engine = gw.bean(EngineClient.class);
        long start = System.nanoTime();
        List<CompletableFuture<?>> bursts = new ArrayList<>();
        for (String id : ids) {
            var args = engine.newArgs();
            args.put("count", perConnection);
            args.put("batch", c.inboundBatch());
            args.put("senders", 200);
            bursts.add(engine.sandbox("burst", id, args));
        }
        CompletableFuture.allOf(bursts.toArray(CompletableFuture[]::new)).join();
        long emittedAt = System.nanoTime();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (seen.get() < total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
        double seconds = (lastNanos.get() - start) / 1e9;
        double rate = seen.get() / seconds;
        while (receiver.accepted().size() < total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
        double webhookSeconds = (System.nanoTime() - start) / 1e9;
        double baseline = baseline(gw, ids.get(0), total);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", c.connections());
        r.put("messages", total);
        r.put("stored", seen.get());
        r.put("batch_per_upsert", c.inboundBatch());
        r.put("emit_seconds", Stats.round((emittedAt - start) / 1e9));
        r.put("messages_per_second", Stats.round(rate));
        r.put("latency", Stats.latencies(java.util.Arrays.copyOf(latencies, Math.min(seen.get(), total))));
        r.put("webhooks_delivered", receiver.accepted().size());
        r.put("webhooks_all_delivered_seconds", Stats.round(webhookSeconds));
        r.put("baseline_batched_insert_per_second", Stats.round(baseline));
        r.put("ratio_to_baseline", Math.round(rate / baseline * 100) / 100.0);
        return r;
    }

    /** Rows per second of a JDBC batch insert (1000 rows per batch, one transaction each) into messages. */
    static double baseline(GatewayHarness gw, String connectionId, int rows) {
        JdbcTemplate jdbc = gw.bean(JdbcTemplate.class);
        org.springframework.transaction.support.TransactionTemplate tx =
                gw.bean(org.springframework.transaction.support.TransactionTemplate.class);
        String sql = """
                INSERT INTO messages (id, connection_id, direction, chat_jid, from_jid, from_phone, body, type,
                    provider_message_id, status, wa_timestamp, content)
                VALUES (?, ?, 'inbound', ?, ?, ?, ?, 'text', ?, 'received', now(), ?::jsonb)""";
        long start = System.nanoTime();
        List<Object[]> batch = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            String phone = "92341" + String.format("%07d", i % 200);
            String body = "baseline " + i;
            batch.add(new Object[] {UUID.randomUUID(), connectionId, phone + "@s.whatsapp.net", phone + "@s.whatsapp.net",
                    phone, body, "BASE" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(),
                    "{\"conversation\":\"" + body + "\"}"});
            if (batch.size() == 1000 || i == rows - 1) {
                List<Object[]> rowsNow = List.copyOf(batch);
                tx.executeWithoutResult(t -> jdbc.batchUpdate(sql, rowsNow));
                batch.clear();
            }
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }
}
