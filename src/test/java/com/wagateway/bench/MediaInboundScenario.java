package com.wagateway.bench;

import com.wagateway.database.MessageMedia;
import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MediaChanged;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineSupervisor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario "media" (issue 15): inbound floods where {@code mediaPercent} % of the messages are
 * images of {@code mediaBytes} bytes, through the real Baileys socket against the standalone
 * emulator. Every image is distinct content (random bytes in a JPEG frame, emulator burst
 * {@code mediaPercent}), so the content-addressed store keeps one file per image, as a business
 * receiving customers' photos would. The engine decrypts each message, downloads and decrypts each
 * image from the emulator's media host, Java adopts the file and records {@code media_state=stored}.
 *
 * <p>Measured, in the same run: a text-only flood of the same size (the baseline: the inbound
 * pipeline without media), the same flood with media, and a flood {@code mediaLongFactor} times
 * longer. Each reports messages stored per second, media stored per second (to the last file),
 * latencies from the contact's encryption (the stamp in the text or caption) to the stored
 * message and to the stored file, and the resident sets of the gateway JVM, the engine and the
 * emulator sampled every half second with the media backlog (images stored as messages whose
 * file is not settled yet): if memory were held per message or per file, the long flood's peak
 * would grow with its length. No webhooks are configured (the pipeline alone). A text warm-up
 * flood first makes every contact's Signal session and compiles the path.
 */
final class MediaInboundScenario {

    private static final String PREFIX = "bench_media_";
    /** What the emulator's burst writes as text or caption: {@code bench <emission epoch ms> <seq>}. */
    private static final Pattern STAMP = Pattern.compile("^bench (\\d{13}) \\d+$");
    private static final long SAMPLE_MS = 500;
    /** A flood whose messages and files stopped arriving for this long is reported as it stands. */
    private static final long STALL_SECONDS = 120;

    private MediaInboundScenario() {
    }

    static Map<String, Object> run(GatewayHarness gw, EmulatorProcess emulator, BenchConfig c) {
        List<String> phones = new ArrayList<>();
        for (int i = 0; i < c.connections(); i++) {
            String phone = "92346" + String.format("%07d", i);
            gw.link(PREFIX + i, phone, java.time.Duration.ofSeconds(60));
            phones.add(phone);
        }
        AtomicReference<Flood> current = new AtomicReference<>();
        gw.onEvent(MessageEvents.Stored.class, e -> {
            Flood f = current.get();
            if (f != null && e.live() && e.connectionId().startsWith(PREFIX)) {
                f.stored(e.messages());
            }
        });
        gw.onEvent(MediaChanged.class, e -> {
            Flood f = current.get();
            if (f != null && e.connectionId().startsWith(PREFIX)) {
                f.settled(e.media());
            }
        });
        gw.onEvent(com.wagateway.services.ConnectionStatusChanged.class, e -> {
            Flood f = current.get();
            String id = e.connection().connectionId();
            if (f != null && id.startsWith(PREFIX) && !"ready".equals(e.connection().status().wire())) {
                f.leftReady.add(id + " " + e.connection().status().wire());
            }
        });
        int per = Math.max(1, c.mediaInbound() / c.connections());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", c.connections());
        r.put("media_percent", c.mediaPercent());
        r.put("media_bytes", c.mediaBytes());
        r.put("batch", c.inboundBatch());
        r.put("content", "every image distinct (random bytes in a JPEG frame): one stored file per image");
        flood(gw, emulator, phones, per, 0, c, current); // warm-up: sessions (X3DH) and JIT
        Map<String, Object> text = flood(gw, emulator, phones, per, 0, c, current).result();
        Map<String, Object> media = flood(gw, emulator, phones, per, c.mediaPercent(), c, current).result();
        Map<String, Object> longer = flood(gw, emulator, phones, per * c.mediaLongFactor(), c.mediaPercent(), c, current).result();
        r.put("text_only", text);
        r.put("with_media", media);
        r.put("with_media_long", longer);
        r.put("messages_per_second_ratio_to_text_only", ratio(media.get("messages_per_second"), text.get("messages_per_second")));
        r.put("long_flood_factor", c.mediaLongFactor());
        Map<String, Object> bounded = new LinkedHashMap<>();
        for (String series : List.of("jvm_rss_mb", "engine_rss_mb", "emulator_rss_mb", "media_backlog")) {
            bounded.put(series + "_peak_long_over_short", ratio(peak(longer, series), peak(media, series)));
        }
        r.put("long_over_short", bounded);
        r.put("stored_files_distinct_sha256", gw.count(
                "SELECT count(DISTINCT media_sha256) FROM messages WHERE connection_id LIKE 'bench_media_%' AND media_state = 'stored'"));
        return r;
    }

    private static Object peak(Map<String, Object> flood, String series) {
        @SuppressWarnings("unchecked")
        Map<String, Object> memory = (Map<String, Object>) flood.get("memory");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) memory.get(series);
        return s.get("peak");
    }

    private static double ratio(Object a, Object b) {
        double d = ((Number) b).doubleValue();
        return d == 0 ? 0 : Math.round(((Number) a).doubleValue() / d * 100) / 100.0;
    }

    /** How many of {@code count} burst messages are images at {@code percent} % (the emulator's even spread). */
    static int images(int count, int percent) {
        int n = 0;
        for (int seq = 0; seq < count; seq++) {
            if ((seq + 1) * percent / 100 > seq * percent / 100) {
                n++;
            }
        }
        return n;
    }

    /**
     * One flood: every account gets {@code per} messages at once; waits (bounded) until every
     * message is stored and every image's file is settled (stored or failed), sampling memory.
     */
    private static Flood flood(GatewayHarness gw, EmulatorProcess emulator, List<String> phones, int per, int percent,
                               BenchConfig c, AtomicReference<Flood> current) {
        Flood f = new Flood(per * phones.size(), images(per, percent) * phones.size());
        EngineSupervisor engine = gw.bean(EngineSupervisor.class);
        long storedBefore = storedInDatabase(gw);
        current.set(f);
        String probe = PREFIX + "0";
        MemorySampler memory = MemorySampler.start(SAMPLE_MS, engine::pid, emulator::rss, Map.of(
                "engine_heap_used_mb", () -> engineHeapUsedMb(gw, probe),
                "messages_stored", () -> f.seen.size(),
                "media_stored", f.mediaStored::get,
                "media_backlog", () -> f.imagesSeen.get() - f.mediaSettled.get()));
        f.startNanos = System.nanoTime();
        List<CompletableFuture<String>> bursts = new ArrayList<>();
        for (String phone : phones) {
            bursts.add(emulator.burst(phone, per, c.inboundBatch(), 200, percent, c.mediaBytes()));
        }
        // bounded by progress, not by a fixed time: on a loaded machine a flood may take minutes,
        // but STALL_SECONDS without one more message or file ends the wait (the flood is then
        // reported incomplete, with what arrived, instead of hanging the run)
        while (f.seen.size() < f.total || f.mediaSettled.get() < f.images) {
            long lastProgress = Math.max(f.startNanos, Math.max(f.lastMessageNanos.get(), f.lastMediaNanos.get()));
            if (System.nanoTime() - lastProgress > STALL_SECONDS * 1_000_000_000L || bursts.stream().anyMatch(MediaInboundScenario::refused)) {
                break;
            }
            GatewayHarness.sleep(20);
        }
        memory.stop();
        current.set(null);
        for (CompletableFuture<String> b : bursts) {
            if (refused(b)) {
                b.join(); // a refused burst fails the scenario with the emulator's answer
            }
            if (b.isCompletedExceptionally()) {
                f.burstAnswersLost++;
            }
        }
        f.memory = memory;
        f.storedInDatabase = storedInDatabase(gw) - storedBefore;
        return f;
    }

    /**
     * The emulator refused the burst (its answer was not 200). A lost answer (the control request's
     * connection reset) is not a refusal: a flood the emulator received goes on whatever happens to
     * the request, and what arrives is counted; one it never received shows as a stall.
     */
    private static boolean refused(CompletableFuture<String> burst) {
        if (!burst.isCompletedExceptionally()) {
            return false;
        }
        try {
            burst.join();
            return false;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof IllegalStateException;
        }
    }

    /**
     * The engine's V8 heap in use, MB ({@code sandbox.memory}), or -1 when it did not answer within
     * 2 s (its command queue is busy with the flood): with the RSS it tells a growing heap (held
     * messages) from memory V8 keeps after a collection.
     */
    private static long engineHeapUsedMb(GatewayHarness gw, String connectionId) {
        com.wagateway.whatsapp.RawEngineCommands engine = gw.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        try {
            return engine.sandbox("memory", connectionId, engine.newArgs()).get(2, java.util.concurrent.TimeUnit.SECONDS)
                    .path("heapUsed").asLong() / 1024 / 1024;
        } catch (Exception e) {
            return -1;
        }
    }

    private static long storedInDatabase(GatewayHarness gw) {
        return gw.count("SELECT count(*) FROM messages WHERE connection_id LIKE 'bench_media_%' AND media_state = 'stored'");
    }

    /** What one flood stored, when, and how late; the listeners feed it from the event threads. */
    private static final class Flood {
        final int total;
        final int images;
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicInteger imagesSeen = new AtomicInteger();
        final AtomicInteger mediaSettled = new AtomicInteger();
        final AtomicInteger mediaStored = new AtomicInteger();
        final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        /** Connections that left ready during the flood (a socket lost on an overloaded machine). */
        final ConcurrentLinkedQueue<String> leftReady = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> messageLatencies = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> mediaLatencies = new ConcurrentLinkedQueue<>();
        final AtomicLong lastMessageNanos = new AtomicLong();
        final AtomicLong lastMediaNanos = new AtomicLong();
        long startNanos;
        long storedInDatabase;
        int burstAnswersLost;
        MemorySampler memory;

        Flood(int total, int images) {
            this.total = total;
            this.images = images;
        }

        void stored(List<MessageRow> rows) {
            long now = System.currentTimeMillis();
            for (MessageRow m : rows) {
                if (m.providerMessageId() == null || !seen.add(m.providerMessageId())) {
                    continue;
                }
                if ("image".equals(m.type())) {
                    imagesSeen.incrementAndGet();
                }
                latency(m.body() != null ? m.body() : m.caption(), now, messageLatencies);
            }
            lastMessageNanos.set(System.nanoTime());
        }

        void settled(MessageMedia m) {
            if ("stored".equals(m.state())) {
                mediaStored.incrementAndGet();
                latency(m.caption(), System.currentTimeMillis(), mediaLatencies);
            } else {
                failures.computeIfAbsent(m.state() + ": " + m.error(), k -> new AtomicInteger()).incrementAndGet();
            }
            mediaSettled.incrementAndGet();
            lastMediaNanos.set(System.nanoTime());
        }

        private static void latency(String stamped, long nowMs, ConcurrentLinkedQueue<Long> into) {
            Matcher s = stamped == null ? null : STAMP.matcher(stamped);
            if (s != null && s.matches()) {
                into.add((nowMs - Long.parseLong(s.group(1))) * 1_000_000L);
            }
        }

        Map<String, Object> result() {
            double seconds = (lastMessageNanos.get() - startNanos) / 1e9;
            double mediaSeconds = (lastMediaNanos.get() - startNanos) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("messages", total);
            r.put("images", images);
            r.put("complete", seen.size() >= total && mediaSettled.get() >= images);
            r.put("stored", seen.size());
            r.put("media_stored", mediaStored.get());
            r.put("media_stored_in_database", storedInDatabase);
            r.put("media_failed", mediaSettled.get() - mediaStored.get());
            r.put("media_failures", Map.copyOf(failures));
            r.put("connections_left_ready", List.copyOf(leftReady));
            r.put("burst_answers_lost", burstAnswersLost);
            r.put("seconds", Stats.round(seconds));
            r.put("messages_per_second", seen.isEmpty() ? 0.0 : Stats.round(seen.size() / seconds));
            r.put("media_seconds", images == 0 ? 0.0 : Stats.round(mediaSeconds));
            r.put("media_stored_per_second", mediaStored.get() == 0 ? 0.0 : Stats.round(mediaStored.get() / mediaSeconds));
            r.put("message_latency", Stats.latencies(messageLatencies.stream().mapToLong(Long::longValue).toArray()));
            r.put("media_latency", Stats.latencies(mediaLatencies.stream().mapToLong(Long::longValue).toArray()));
            r.put("memory", memory.summary());
            r.put("memory_samples", memory.samples());
            return r;
        }
    }
}
