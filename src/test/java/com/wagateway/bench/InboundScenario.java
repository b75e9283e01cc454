package com.wagateway.bench;

import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.whatsapp.RawEngineCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Scenario 1: ready sandbox connections, each with a webhook to a live loopback receiver, flood
 * the gateway with inbound messages; measured from the engine's emission (stamped in the text) to
 * the after-commit event that follows storage and webhook queueing (the realtime relay emits on
 * that same event). Also reported: when the receiver had every message.received webhook, and the
 * same flood without webhooks (the pipeline alone). Each measured flood follows an unmeasured
 * warm-up flood of the same size (at most 50,000).
 * Baseline: a plain batched JDBC insert of the same number of rows into the same table and database.
 */
final class InboundScenario {

    /** What the engine's sandbox.burst writes: {@code bench <emission epoch ms> <seq>}. */
    private static final java.util.regex.Pattern STAMP = java.util.regex.Pattern.compile("^bench (\\d{13}) \\d+$");

    private InboundScenario() {
    }

    /** With {@code stats} (--pg-stats=true) each measured flood also reports its top statements. */
    static Map<String, Object> run(GatewayHarness gw, BenchConfig c, StatementStats stats) {
        try (WebhookReceiver receiver = WebhookReceiver.up()) {
            return run(gw, c, receiver, stats);
        }
    }

    private static Map<String, Object> run(GatewayHarness gw, BenchConfig c, WebhookReceiver receiver, StatementStats stats) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < c.connections(); i++) {
            String id = "bench_in_" + i;
            gw.link(id, "92345" + String.format("%07d", i), java.time.Duration.ofSeconds(120)); // a loaded machine pairs slowly
            ids.add(id);
        }
        int perConnection = Math.max(1, c.inbound() / c.connections());
        int total = perConnection * c.connections();
        AtomicReference<Flood> current = new AtomicReference<>();
        gw.onEvent(MessageEvents.Stored.class, e -> {
            Flood f = current.get();
            if (f != null) {
                f.record(e.messages());
            }
        });
        // each measured flood follows a warm-up flood of the same size (at most 50,000) through the
        // same path, so the JIT has compiled it (C2 used a third of the CPU of a cold run)
        int warmPerConnection = Math.max(1, Math.min(total, 50_000) / c.connections());
        // 1. the pipeline alone: no webhooks configured
        flood(gw, ids, warmPerConnection, c.inboundBatch(), current, receiver, false);
        Map<String, Object> statements = new LinkedHashMap<>(); // of the measured floods (--pg-stats=true)
        SendScenario.Profile p = SendScenario.Profile.begin(stats);
        Flood alone = flood(gw, ids, perConnection, c.inboundBatch(), current, receiver, false);
        p.end(statements, "without_webhooks_statements", alone.total);
        // 2. end to end: every connection has a webhook to the live loopback receiver
        webhooks(gw, ids, receiver, true);
        flood(gw, ids, warmPerConnection, c.inboundBatch(), current, receiver, true);
        p = SendScenario.Profile.begin(stats);
        Flood f = flood(gw, ids, perConnection, c.inboundBatch(), current, receiver, true);
        p.end(statements, "with_webhooks_statements", f.total);
        // 3. more rounds of the same pair (--runs), warm already: one pair's ratio moves by about
        // 0.1 from run to run on a shared 2-core machine, so the median of several is reported too
        List<Map<String, Object>> rounds = new ArrayList<>(List.of(round(alone, f)));
        for (int i = 1; i < c.runs(); i++) {
            webhooks(gw, ids, receiver, false);
            Flood without = flood(gw, ids, perConnection, c.inboundBatch(), current, receiver, false);
            webhooks(gw, ids, receiver, true);
            rounds.add(round(without, flood(gw, ids, perConnection, c.inboundBatch(), current, receiver, true)));
        }
        baseline(gw, ids.get(0), Math.min(total, 10_000)); // warm-up
        double baseline = baseline(gw, ids.get(0), total);
        double rate = f.rate();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", c.connections());
        r.put("messages", total);
        r.put("warm_up_messages_per_flood", warmPerConnection * c.connections());
        r.put("batch_per_upsert", c.inboundBatch());
        r.put("stored", f.seen.get());
        r.put("emit_seconds", Stats.round((f.emittedNanos - f.startNanos) / 1e9));
        r.put("latency", f.latencyStats());
        r.put("webhooks_delivered", f.webhooksDelivered);
        r.put("webhooks_all_delivered_seconds", Stats.round(f.webhookSeconds));
        r.put("without_webhooks_latency", alone.latencyStats());
        r.put("baseline_batched_insert_per_second", Stats.round(baseline));
        r.put("ratio_to_baseline", Math.round(rate / baseline * 100) / 100.0);
        r.put("without_webhooks_ratio_to_baseline", Math.round(alone.rate() / baseline * 100) / 100.0);
        // issue 18's target: the pipeline with live webhooks against the same pipeline without, same
        // run; the first round's rates, ratio and flood windows (to line up outside samples, e.g.
        // CPU by process) are the headline fields
        r.putAll(rounds.get(0));
        r.put("rounds", rounds);
        r.put("with_over_without_webhooks_median", Math.round(Stats.median(
                rounds.stream().map(x -> (Double) x.get("with_over_without_webhooks")).toList()) * 100) / 100.0);
        r.putAll(statements);
        return r;
    }

    /** Sets (or removes) every connection's webhook to the receiver, for message.received only. */
    private static void webhooks(GatewayHarness gw, List<String> ids, WebhookReceiver receiver, boolean on) {
        for (String id : ids) {
            ApiClient.Response hook = on
                    ? gw.admin().put("/api/connections/" + id + "/webhook",
                            "{\"url\":\"" + receiver.url() + "\",\"events\":[\"message.received\"]}")
                    : gw.admin().delete("/api/connections/" + id + "/webhook");
            if (hook.status() != 200) {
                throw new IllegalStateException("webhook not " + (on ? "set" : "removed") + ": " + hook.raw());
            }
        }
    }

    /** One round: a flood without webhooks, then one with them, as rates and their ratio. */
    private static Map<String, Object> round(Flood without, Flood with) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("without_webhooks_messages_per_second", Stats.round(without.rate()));
        r.put("messages_per_second", Stats.round(with.rate()));
        r.put("with_over_without_webhooks", Math.round(with.rate() / without.rate() * 100) / 100.0);
        r.put("without_webhooks_window", List.of(without.startedAt.toString(), without.endedAt.toString()));
        r.put("with_webhooks_window", List.of(with.startedAt.toString(), with.endedAt.toString()));
        // the JIT's compile time during each flood: a flood that still compiles is not yet warm
        r.put("without_webhooks_jit_ms", without.jitMillis);
        r.put("with_webhooks_jit_ms", with.jitMillis);
        return r;
    }

    /** One flood: what arrived, when, and how late. */
    private static final class Flood {
        final int total;
        final long[] latencies;
        final AtomicInteger seen = new AtomicInteger();
        final AtomicLong lastNanos = new AtomicLong();
        long startNanos;
        long emittedNanos;
        java.time.Instant startedAt;
        java.time.Instant endedAt;
        double webhookSeconds;
        int webhooksDelivered;
        /** Milliseconds the JIT compilers spent during the flood (this JVM runs the gateway). */
        long jitMillis;

        Flood(int total) {
            this.total = total;
            this.latencies = new long[total];
        }

        void record(List<MessageRow> stored) {
            long nowMs = System.currentTimeMillis();
            for (MessageRow m : stored) {
                java.util.regex.Matcher b = m.body() == null ? null : STAMP.matcher(m.body());
                if (b == null || !b.matches()) {
                    continue;
                }
                int i = seen.getAndIncrement();
                if (i < latencies.length) {
                    latencies[i] = (nowMs - Long.parseLong(b.group(1))) * 1_000_000L;
                }
            }
            lastNanos.set(System.nanoTime());
        }

        double rate() {
            return seen.get() / ((lastNanos.get() - startNanos) / 1e9);
        }

        Map<String, Object> latencyStats() {
            return Stats.latencies(java.util.Arrays.copyOf(latencies, Math.min(seen.get(), total)));
        }
    }

    /**
     * Every connection's simulated phone emits {@code perConnection} messages at once; waits
     * until all are stored and, with {@code webhooks}, the receiver has all their webhooks.
     */
    private static Flood flood(GatewayHarness gw, List<String> ids, int perConnection, int batch,
                               AtomicReference<Flood> current, WebhookReceiver receiver, boolean webhooks) {
        int receivedBefore = receiver.accepted().size();
        RawEngineCommands engine = gw.bean(RawEngineCommands.class);
        Flood f = new Flood(perConnection * ids.size());
        current.set(f);
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jitBefore = jit.getTotalCompilationTime();
        f.startedAt = java.time.Instant.now();
        f.startNanos = System.nanoTime();
        List<CompletableFuture<?>> bursts = new ArrayList<>();
        for (String id : ids) {
            var args = engine.newArgs();
            args.put("count", perConnection);
            args.put("batch", batch);
            args.put("senders", 200);
            bursts.add(engine.sandbox("burst", id, args));
        }
        CompletableFuture.allOf(bursts.toArray(CompletableFuture[]::new)).join();
        f.emittedNanos = System.nanoTime();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (f.seen.get() < f.total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
        while (webhooks && receiver.accepted().size() < receivedBefore + f.total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
        f.webhookSeconds = (System.nanoTime() - f.startNanos) / 1e9;
        f.webhooksDelivered = receiver.accepted().size() - receivedBefore;
        f.endedAt = java.time.Instant.now();
        f.jitMillis = jit.getTotalCompilationTime() - jitBefore;
        current.set(null);
        return f;
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
