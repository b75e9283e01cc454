package com.wagateway.bench;

import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineShare;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Engine pool vs single engine process (issue 17 part 4): the same inbound flood, Signal-decrypted
 * by Baileys in the engine, through a gateway with {@code ENGINE_PROCESSES=1} and then one with
 * {@code ENGINE_PROCESSES=2}, in the same run, against the same standalone emulator; reported as
 * stored messages per second each and their ratio. The connections are chosen so that with two
 * processes each runs half of them (by the pool's own hash). Each gateway has its own data folder
 * and phones, and runs alone (the other scenarios' gateway is not started yet). Each measured
 * flood follows an unmeasured warm-up flood. Measured, never asserted.
 */
final class EnginePoolScenario {

    private static final java.util.regex.Pattern STAMP = java.util.regex.Pattern.compile("^bench (\\d{13}) \\d+$");

    private EnginePoolScenario() {
    }

    static Map<String, Object> run(Path dataDir, EmulatorProcess emulator, BenchConfig c) {
        List<String> ids = connectionIds(Math.max(2, c.connections() + c.connections() % 2));
        int perConnection = Math.max(1, c.inbound() / ids.size());
        Map<String, Object> one = measure(dataDir.resolve("pool-1"), emulator, ids, 1, perConnection, c.inboundBatch());
        Map<String, Object> two = measure(dataDir.resolve("pool-2"), emulator, ids, 2, perConnection, c.inboundBatch());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", ids.size());
        r.put("messages", perConnection * ids.size());
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("one_process", one);
        r.put("two_processes", two);
        double a = ((Number) one.get("messages_per_second")).doubleValue();
        double b = ((Number) two.get("messages_per_second")).doubleValue();
        r.put("ratio_two_over_one", a > 0 ? Math.round(b / a * 100) / 100.0 : 0);
        return r;
    }

    /** {@code count} ids, half of them on each process of a pool of two. */
    static List<String> connectionIds(int count) {
        List<String> zero = new ArrayList<>();
        List<String> one = new ArrayList<>();
        for (int i = 0; zero.size() < count / 2 || one.size() < count / 2; i++) {
            String id = "bench_pool_" + i;
            List<String> side = EngineShare.indexOf(id, 2) == 0 ? zero : one;
            if (side.size() < count / 2) {
                side.add(id);
            }
        }
        List<String> all = new ArrayList<>(zero);
        all.addAll(one);
        return all;
    }

    private static Map<String, Object> measure(Path dataDir, EmulatorProcess emulator, List<String> ids, int processes,
                                               int perConnection, int batch) {
        Map<String, String> settings = Benchmark.settings(dataDir);
        settings.put("gateway.engine.sandbox.emulator-url", emulator.url());
        settings.put("gateway.engine.command-timeout", "300s");
        settings.put("gateway.lifecycle.qr-wait", "30s");
        settings.put("gateway.engine.processes", Integer.toString(processes));
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            List<String> phones = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                phones.add("9234" + processes + String.format("%07d", i));
                gw.link(ids.get(i), phones.get(i), java.time.Duration.ofMinutes(2));
            }
            AtomicInteger stored = new AtomicInteger();
            AtomicLong last = new AtomicLong();
            gw.onEvent(MessageEvents.Stored.class, e -> {
                int n = 0;
                for (MessageRow m : e.messages()) {
                    if (m.body() != null && STAMP.matcher(m.body()).matches()) {
                        n++;
                    }
                }
                stored.addAndGet(n);
                last.set(System.nanoTime());
            });
            int total = perConnection * ids.size();
            flood(emulator, phones, Math.max(1, Math.min(perConnection, 2_000 / ids.size())), batch, stored); // warm-up
            stored.set(0);
            long start = System.nanoTime();
            flood(emulator, phones, perConnection, batch, stored);
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (stored.get() < total && System.nanoTime() < deadline) {
                GatewayHarness.sleep(20);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("processes", processes);
            r.put("stored", stored.get());
            double seconds = (last.get() - start) / 1e9;
            r.put("seconds", Stats.round(seconds));
            r.put("messages_per_second", Stats.round(stored.get() / seconds));
            return r;
        }
    }

    /**
     * Every account gets {@code perConnection} stamped messages from the emulator's contacts at once
     * (its control API, a fresh HTTP connection per burst, as the media scenario does); returns once
     * they are all stored or after 3 minutes.
     */
    private static void flood(EmulatorProcess emulator, List<String> phones, int perConnection, int batch, AtomicInteger stored) {
        int before = stored.get();
        List<CompletableFuture<?>> bursts = new ArrayList<>();
        for (String phone : phones) {
            bursts.add(emulator.burst(phone, perConnection, batch, 200, 0, 1024));
        }
        CompletableFuture.allOf(bursts.toArray(CompletableFuture[]::new)).join();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (stored.get() < before + perConnection * phones.size() && System.nanoTime() < deadline) {
            GatewayHarness.sleep(20);
        }
    }
}
