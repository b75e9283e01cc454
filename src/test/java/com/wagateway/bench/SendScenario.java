package com.wagateway.bench;

import com.wagateway.support.GatewayHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Scenario 2: {@code POST /api/send-message} with unique {@code client_message_id}s (pacing off),
 * to one connection ({@code sendChats} chats), at three loads (issue 18): saturation (closed loop,
 * {@code sendClients} clients, median of {@code runs}), then fixed offered loads of 50 % and 80 %
 * of that saturation (open loop: latency counted from each request's scheduled time, so a stall
 * is not hidden). Baseline in the same run: a trivial authenticated JSON endpoint of the same
 * server ({@code GET /api/connections/{id}}), alternating with the saturation runs. Measured in
 * both answer modes: after WhatsApp's server ack (the default), then with
 * {@code Prefer: respond-async} (202 once the message is committed; the engine sends after).
 */
final class SendScenario {

    private static final AtomicLong IDS = new AtomicLong();

    private SendScenario() {
    }

    static Map<String, Object> run(GatewayHarness gw, BenchConfig c, StatementStats stats) {
        String id = "bench_send";
        gw.link(id, "923460000001", Duration.ofSeconds(120)); // a loaded machine pairs slowly
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String base = gw.baseUrl();
        IntFunction<HttpRequest> send = sends(base, id, null, c.sendChats());
        IntFunction<HttpRequest> trivial = i -> HttpRequest.newBuilder(URI.create(base + "/api/connections/" + id))
                .header("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY).GET().build();
        // warm-up: one message to every chat first, so every chat's Signal session (X3DH) and the
        // emulator's contact (a new Signal identity, 30 prekeys) exist before anything is measured
        // (a 5 s warm-up reached only ~200 of the bench's 1,000 chats, and every sync phase then measured
        // first messages); then as long as a measured run for the JIT (C2 compiling the send path
        // took a third of the CPU for tens of seconds), connection pools and caches
        everyChatOnce(http, sends(base, id, "respond-async", c.sendChats()), c.sendChats(), c.sendClients());
        drained(gw, id);
        // statistics as a database that has been running has them: until autovacuum's first analyze
        // of the bench's new database (about a minute in) the statements ran plans made for empty
        // tables (the idempotency lookup read 1,792 buffers for no row: decisions.md)
        gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class).sql("ANALYZE").update();
        closedLoop(http, send, c.sendClients(), c.sendSeconds());
        closedLoop(http, trivial, c.sendClients(), c.sendSeconds());
        drained(gw, id);
        // the default answer: after WhatsApp's server ack (up to SEND_WAIT)
        Map<String, Object> r = measure(gw, id, http, send, trivial, c, stats);
        r.put("answer", "after WhatsApp's server ack (default)");
        r.put("chats", c.sendChats());
        // the same three loads with "Prefer: respond-async": 202 once the message is committed
        Map<String, Object> async = measure(gw, id, http, sends(base, id, "respond-async", c.sendChats()), trivial, c, stats);
        async.put("answer", "202 once stored (Prefer: respond-async)");
        r.put("respond_async", async);
        r.put("queued_after_run", gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND status = 'queued'", id));
        return r;
    }

    /**
     * One request per chat ({@code chats}), from {@code clients} threads; a failed request fails
     * the run (the warm-up must leave no chat without a session).
     */
    static void everyChatOnce(HttpClient http, IntFunction<HttpRequest> req, int chats, int clients) {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < clients; t++) {
            Thread th = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < chats && failure.get() == null; i = next.getAndIncrement()) {
                    try {
                        int status = http.send(req.apply(i), HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status >= 300) {
                            failure.set("chat " + i + ": HTTP " + status);
                        }
                    } catch (Exception e) {
                        failure.set("chat " + i + ": " + e);
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        join(threads);
        if (failure.get() != null) {
            throw new IllegalStateException("warm-up send failed: " + failure.get());
        }
    }

    /** Send requests to {@code chats} chats with unique client_message_ids, with a {@code Prefer} header when given. */
    private static IntFunction<HttpRequest> sends(String base, String id, String prefer, int chats) {
        return i -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/send-message"))
                    .header("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"connection_id\":\"" + id + "\",\"to\":\"9234700"
                            + String.format("%05d", i % chats) + "\",\"message\":\"bench send " + i
                            + "\",\"client_message_id\":\"bench-" + IDS.incrementAndGet() + "\"}"));
            if (prefer != null) {
                b.header("Prefer", prefer);
            }
            return b.build();
        };
    }

    /**
     * One answer mode at the three loads: saturation (closed loop, median of
     * {@code runs}, each beside a run of the trivial endpoint), then fixed offered loads of 50 % and
     * 80 % of it (open loop, latency from each request's scheduled time: coordinated-omission-free).
     * Every phase ends when the send queue is empty; {@code sent_per_second} counts the messages
     * WhatsApp acked over the phase and that drain (for 202 answers the engine sends after them).
     */
    private static Map<String, Object> measure(GatewayHarness gw, String id, HttpClient http, IntFunction<HttpRequest> send,
                                               IntFunction<HttpRequest> trivial, BenchConfig c, StatementStats stats) {
        Map<String, Object> r = new LinkedHashMap<>();
        List<Double> sat = new ArrayList<>();
        List<Double> base0 = new ArrayList<>();
        List<Double> sentRates = new ArrayList<>();
        Map<String, Object> lastSat = null;
        Map<String, Object> lastBase = null;
        for (int run = 0; run < c.runs(); run++) {
            // the statements of the first saturation run alone (the trivial endpoint's are not mixed in)
            Profile satProfile = run == 0 ? Profile.begin(stats) : Profile.begin(null);
            lastSat = closedLoop(http, send, c.sendClients(), c.sendSeconds());
            double drain = drained(gw, id);
            lastSat.put("backlog_drain_seconds", drain);
            satProfile.end(r, "saturation_statements", (Integer) lastSat.get("requests"));
            sat.add((Double) lastSat.get("requests_per_second"));
            sentRates.add(Stats.round((Integer) lastSat.get("requests") / ((Double) lastSat.get("seconds") + drain)));
            lastBase = closedLoop(http, trivial, c.sendClients(), c.sendSeconds());
            base0.add((Double) lastBase.get("requests_per_second"));
        }
        double satRate = Stats.median(sat);
        double baseRate = Stats.median(base0);
        r.put("saturation_clients", c.sendClients());
        r.put("saturation", lastSat);
        r.put("saturation_median_requests_per_second", Stats.round(satRate));
        r.put("saturation_runs_requests_per_second", sat);
        r.put("saturation_sent_per_second_median", Stats.round(Stats.median(sentRates)));
        r.put("baseline_runs_requests_per_second", base0);
        r.put("baseline_trivial_endpoint", lastBase);
        r.put("baseline_median_requests_per_second", Stats.round(baseRate));
        r.put("ratio_to_baseline", Math.round(satRate / baseRate * 100) / 100.0);
        for (int percent : new int[] {50, 80}) {
            int rate = Math.max(1, (int) Math.round(satRate * percent / 100.0));
            Profile p = Profile.begin(stats);
            Map<String, Object> open = openLoop(http, send, rate, c.sendSeconds());
            open.put("offered_per_second", rate);
            open.put("backlog_drain_seconds", drained(gw, id));
            p.end(open, "statements", (Integer) open.get("requests"));
            r.put("at_" + percent + "_percent", open);
        }
        return r;
    }

    /**
     * The statements (and WAL flushes) of one measured phase when the run has {@code --pg-stats=true};
     * nothing otherwise. Also used by the inbound scenario.
     */
    record Profile(StatementStats stats) {
        static Profile begin(StatementStats stats) {
            if (stats != null) {
                stats.reset();
            }
            return new Profile(stats);
        }

        void end(Map<String, Object> into, String key, int requests) {
            if (stats == null) {
                return;
            }
            long syncs = stats.walSyncs();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", requests);
            m.put("wal_syncs", syncs);
            m.put("wal_syncs_per_request", requests > 0 ? Math.round(syncs * 100.0 / requests) / 100.0 : 0);
            m.put("top", stats.top(12));
            into.put(key, m);
        }
    }

    /**
     * Waits until the connection's send queue is empty (requests that timed out waiting answer
     * 202 and stay queued), so no run measures the previous run's backlog. Returns the seconds.
     */
    static double drained(GatewayHarness gw, String id) {
        long start = System.nanoTime();
        long deadline = start + 600_000_000_000L;
        while (gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND status = 'queued'", id) > 0
                && System.nanoTime() < deadline) {
            GatewayHarness.sleep(100);
        }
        return Stats.round((System.nanoTime() - start) / 1e9);
    }

    /** Client threads of the open loop: enough for 1,000 req/s at 64 ms each, and a bounded connection count. */
    static final int OPEN_LOOP_WORKERS = 64;

    /**
     * Requests due at {@code rate}/s for {@code seconds}; latency from each request's scheduled
     * time. A fixed set of worker threads takes the slots in order and sends blocking, so the
     * client holds at most {@link #OPEN_LOOP_WORKERS} connections (a first version fired every
     * request asynchronously: the JDK client then opened a connection per outstanding request and
     * its pool bookkeeping, not the server, set the pace). When the server is slower than the
     * offered rate, slots are taken late and that lateness is part of the latency.
     */
    static Map<String, Object> openLoop(HttpClient http, IntFunction<HttpRequest> req, int rate, int seconds) {
        int total = rate * seconds;
        long[] lat = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
        java.time.Instant startedAt = java.time.Instant.now();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < OPEN_LOOP_WORKERS; w++) {
            Thread t = new Thread(() -> {
                for (int n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    long due = start + n * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    String failure = null;
                    try {
                        HttpResponse<Void> resp = http.send(req.apply(n), HttpResponse.BodyHandlers.discarding());
                        if (resp.statusCode() >= 300) {
                            failure = Integer.toString(resp.statusCode());
                        }
                    } catch (Exception e) {
                        failure = e.getClass().getSimpleName();
                    }
                    lat[n] = System.nanoTime() - due;
                    if (failure == null) {
                        ok.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                        failures.merge(failure, 1, Integer::sum);
                    }
                }
            }, "bench-open-loop-" + w);
            t.start();
            workers.add(t);
        }
        join(workers);
        double secs = (System.nanoTime() - start) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started_at", startedAt.toString()); // to line the slowest requests up with other logs (GC, PostgreSQL)
        m.put("requests", total);
        m.put("ok", ok.get());
        m.put("errors", errors.get());
        m.put("error_kinds", failures);
        m.put("achieved_per_second", Stats.round(total / secs));
        m.put("latency", Stats.latencies(lat));
        m.put("slowest_percent", slowest(lat, interval));
        return m;
    }

    /**
     * The slowest 1 % of an open loop's requests (at most 50), in the order they were due: each
     * its due time from the phase's start and its latency, in ms. Evidence for the tail: requests
     * due within a few ms of each other share one stall (a pause of a process), requests spread
     * over the phase point to queueing.
     */
    static List<Map<String, Object>> slowest(long[] lat, long intervalNanos) {
        int keep = Math.min(50, Math.max(1, lat.length / 100));
        List<Integer> order = new ArrayList<>();
        for (int n = 0; n < lat.length; n++) {
            order.add(n);
        }
        order.sort((a, b) -> Long.compare(lat[b], lat[a]));
        List<Integer> kept = new ArrayList<>(order.subList(0, Math.min(keep, order.size())));
        kept.sort(Integer::compare);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int n : kept) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("due_ms", Stats.ms(n * intervalNanos));
            e.put("ms", Stats.ms(lat[n]));
            out.add(e);
        }
        return out;
    }

    private static void join(List<Thread> threads) {
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code clients} threads sending back to back for {@code seconds}. */
    static Map<String, Object> closedLoop(HttpClient http, IntFunction<HttpRequest> req, int clients, int seconds) {
        ConcurrentLinkedQueue<Long> lat = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger seq = new AtomicInteger();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<Void> resp = http.send(req.apply(seq.incrementAndGet()), HttpResponse.BodyHandlers.discarding());
                        if (resp.statusCode() >= 300) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    lat.add(System.nanoTime() - s);
                }
            });
            th.start();
            threads.add(th);
        }
        join(threads);
        double secs = (System.nanoTime() - start) / 1e9;
        long[] l = lat.stream().mapToLong(Long::longValue).toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", l.length);
        m.put("errors", errors.get());
        m.put("requests_per_second", Stats.round(l.length / secs));
        m.put("seconds", Stats.round(secs));
        m.put("latency", Stats.latencies(l));
        return m;
    }
}
