package com.wagateway.bench;

import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineSupervisor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Scenario 4: ramp to C ready sandbox connections (QR, scan, ready — the real pairing path),
 * memory per connection after GC (Java heap; engine resident set), then a restart of the service
 * and the time until all of them are ready again without a QR.
 */
final class ConnectionsScenario {

    private ConnectionsScenario() {
    }

    /**
     * Ramps to {@code c.rampConnections()} connections, pausing at each count of
     * {@code c.memoryAt()} to take memory per connection against the state before the ramp: Java
     * heap after GC, the engine's resident set and (with a standalone emulator) the emulator's,
     * kept apart so the engine's figure is the engine alone. Then restarts the service and waits
     * (positively, by counting ready rows) until every connection is ready again.
     */
    static Map<String, Object> run(GatewayHarness gw, BenchConfig c, EmulatorProcess emulator,
                                   Supplier<GatewayHarness> restart) throws Exception {
        long heapBefore = heapAfterGc();
        long rssBefore = engineRss(gw);
        long emulatorBefore = emulator == null ? 0 : emulator.rss();
        long readyBefore = ready(gw);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Map<String, Object>> memory = new ArrayList<>();
        int linked = 0;
        double rampSeconds = 0;
        long paused = 0;
        try {
            for (int checkpoint : c.memoryAt()) {
                List<Future<?>> links = new ArrayList<>();
                for (; linked < checkpoint; linked++) {
                    String id = "bench_c_" + linked;
                    String phone = "92348" + String.format("%07d", linked);
                    links.add(pool.submit(() -> gw.link(id, phone, java.time.Duration.ofSeconds(120))));
                }
                for (Future<?> f : links) {
                    f.get();
                }
                // the ramp clock leaves out the pauses for measuring (GCs)
                rampSeconds = (System.nanoTime() - start - paused) / 1e9;
                long measuring = System.nanoTime();
                long heap = heapAfterGc();
                long rss = engineRss(gw);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("connections", checkpoint);
                m.put("ramp_seconds", Stats.round(rampSeconds));
                m.put("java_heap_kb_per_connection", Stats.round((heap - heapBefore) / 1024.0 / checkpoint));
                m.put("engine_rss_kb_per_connection", Stats.round((rss - rssBefore) / 1024.0 / checkpoint));
                m.put("engine_rss_mb_total", Stats.round(rss / 1024.0 / 1024.0));
                if (emulator != null) {
                    long e = emulator.rss();
                    m.put("emulator_rss_kb_per_connection", Stats.round((e - emulatorBefore) / 1024.0 / checkpoint));
                    m.put("emulator_rss_mb_total", Stats.round(e / 1024.0 / 1024.0));
                }
                m.putAll(engineHeap(gw, "bench_c_0"));
                memory.add(m);
                paused += System.nanoTime() - measuring;
            }
        } finally {
            pool.shutdown();
        }
        Map<String, Object> last = memory.get(memory.size() - 1);
        long total = ready(gw);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", c.rampConnections());
        r.put("ramp_seconds_all_ready", last.get("ramp_seconds"));
        r.put("java_heap_kb_per_connection", last.get("java_heap_kb_per_connection"));
        r.put("engine_rss_kb_per_connection", last.get("engine_rss_kb_per_connection"));
        r.put("engine_rss_mb_total", last.get("engine_rss_mb_total"));
        r.put("memory", memory);
        r.put("ready_connections_before_restart", total);
        long restartStart = System.nanoTime();
        GatewayHarness next = restart.get();
        double contextSeconds = (System.nanoTime() - restartStart) / 1e9;
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (ready(next) < total && System.nanoTime() < deadline) {
            GatewayHarness.sleep(100);
        }
        r.put("restart_service_start_seconds", Stats.round(contextSeconds));
        r.put("restart_seconds_until_all_ready", Stats.round((System.nanoTime() - restartStart) / 1e9));
        r.put("restore_per_second", next.bean(com.wagateway.config.GatewayProperties.class).lifecycle().restorePerSecond());
        r.put("ready_after_restart", ready(next));
        r.put("connections_before_ramp", readyBefore);
        return r;
    }

    static long ready(GatewayHarness gw) {
        return gw.count("SELECT count(*) FROM connections WHERE status = 'ready'");
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            GatewayHarness.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * The engine's V8 heap in use and its limit (engine command {@code sandbox.memory}, named by
     * one open connection): how close the sockets bring the engine to the limit its flags set.
     */
    static Map<String, Object> engineHeap(GatewayHarness gw, String connectionId) {
        com.wagateway.whatsapp.RawEngineCommands engine = gw.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        tools.jackson.databind.JsonNode m = engine.sandbox("memory", connectionId, engine.newArgs()).join();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("engine_heap_used_mb", Stats.round(m.path("heapUsed").asLong() / 1024.0 / 1024.0));
        r.put("engine_heap_limit_mb", Stats.round(m.path("heapLimit").asLong() / 1024.0 / 1024.0));
        r.put("engine_external_mb", Stats.round(m.path("external").asLong() / 1024.0 / 1024.0));
        return r;
    }

    /** The engine process's resident set in bytes (Linux /proc), or 0 when unknown. */
    static long engineRss(GatewayHarness gw) {
        return rssOf(gw.bean(EngineSupervisor.class).pid());
    }

    /** A process's resident set in bytes (Linux /proc), or 0 when unknown. */
    static long rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
