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

    static Map<String, Object> run(GatewayHarness gw, BenchConfig c, Supplier<GatewayHarness> restart) throws Exception {
        long heapBefore = heapAfterGc();
        long rssBefore = engineRss(gw);
        long readyBefore = ready(gw);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> links = new ArrayList<>();
        for (int i = 0; i < c.rampConnections(); i++) {
            String id = "bench_c_" + i;
            String phone = "92348" + String.format("%07d", i);
            links.add(pool.submit(() -> gw.link(id, phone)));
        }
        for (Future<?> f : links) {
            f.get();
        }
        pool.shutdown();
        double rampSeconds = (System.nanoTime() - start) / 1e9;
        long heapAfter = heapAfterGc();
        long rssAfter = engineRss(gw);
        long total = ready(gw);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", c.rampConnections());
        r.put("ramp_seconds_all_ready", Stats.round(rampSeconds));
        r.put("java_heap_kb_per_connection", Stats.round((heapAfter - heapBefore) / 1024.0 / c.rampConnections()));
        r.put("engine_rss_kb_per_connection", Stats.round((rssAfter - rssBefore) / 1024.0 / c.rampConnections()));
        r.put("engine_rss_mb_total", Stats.round(rssAfter / 1024.0 / 1024.0));
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

    /** The engine process's resident set in bytes (Linux /proc), or 0 when unknown. */
    static long engineRss(GatewayHarness gw) {
        long pid = gw.bean(EngineSupervisor.class).pid();
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
