package com.wagateway.bench;

import com.wagateway.support.GatewayHarness;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Samples, every {@code periodMs} on a daemon thread, the resident sets of the gateway JVM (this
 * process: the benchmark runs the gateway in-process), the engine and the emulator, the JVM heap in
 * use, and the caller's counters (e.g. messages stored, media backlog). Used to show whether memory
 * stays bounded during a flood: {@link #summary} gives start / peak / end per series and
 * {@link #samples} the series itself, thinned to at most {@code MAX_REPORTED} points.
 * Guarantees: the first sample is taken before {@link #start} returns and the last one inside
 * {@link #stop}, so start and end are the flood's own edges; a process that is gone reads 0.
 */
final class MemorySampler implements AutoCloseable {

    private static final int MAX_REPORTED = 60;

    private final long periodMs;
    private final LongSupplier enginePid;
    private final LongSupplier emulatorRss;
    private final Map<String, LongSupplier> counters;
    private final List<Map<String, Object>> samples = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;
    private Thread thread;

    private MemorySampler(long periodMs, LongSupplier enginePid, LongSupplier emulatorRss, Map<String, LongSupplier> counters) {
        this.periodMs = periodMs;
        this.enginePid = enginePid;
        this.emulatorRss = emulatorRss;
        this.counters = counters;
    }

    /** Takes the first sample now, then one every {@code periodMs} until {@link #stop}. */
    static MemorySampler start(long periodMs, LongSupplier enginePid, LongSupplier emulatorRss, Map<String, LongSupplier> counters) {
        MemorySampler s = new MemorySampler(periodMs, enginePid, emulatorRss, counters);
        s.sample();
        s.thread = new Thread(() -> {
            while (s.running) {
                GatewayHarness.sleep(s.periodMs);
                if (s.running) {
                    s.sample();
                }
            }
        }, "bench-memory-sampler");
        s.thread.setDaemon(true);
        s.thread.start();
        return s;
    }

    /** Stops sampling after one last sample. */
    void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void sample() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("t_s", Stats.round((System.nanoTime() - startNanos) / 1e9));
        Runtime rt = Runtime.getRuntime();
        s.put("jvm_rss_mb", mb(ConnectionsScenario.rssOf(ProcessHandle.current().pid())));
        s.put("jvm_heap_used_mb", mb(rt.totalMemory() - rt.freeMemory()));
        long pid = enginePid.getAsLong();
        s.put("engine_rss_mb", pid > 0 ? mb(ConnectionsScenario.rssOf(pid)) : 0.0);
        s.put("emulator_rss_mb", mb(emulatorRss.getAsLong()));
        counters.forEach((name, value) -> s.put(name, value.getAsLong()));
        samples.add(s);
    }

    /** start / peak / end of each numeric series (not the clock). */
    synchronized Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("samples", samples.size());
        out.put("period_ms", periodMs);
        for (String key : samples.get(0).keySet()) {
            if (key.equals("t_s")) {
                continue;
            }
            double peak = samples.stream().mapToDouble(m -> ((Number) m.get(key)).doubleValue()).max().orElse(0);
            Map<String, Object> series = new LinkedHashMap<>();
            series.put("start", samples.get(0).get(key));
            series.put("peak", peak);
            series.put("end", samples.get(samples.size() - 1).get(key));
            out.put(key, series);
        }
        return out;
    }

    /** The samples, every n-th so that at most {@code MAX_REPORTED} remain (the last one always kept). */
    synchronized List<Map<String, Object>> samples() {
        int step = Math.max(1, (int) Math.ceil(samples.size() / (double) MAX_REPORTED));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += step) {
            out.add(samples.get(i));
        }
        if ((samples.size() - 1) % step != 0) {
            out.add(samples.get(samples.size() - 1));
        }
        return out;
    }

    private static double mb(long bytes) {
        return Stats.round(bytes / 1024.0 / 1024.0);
    }
}
