package com.wagateway.bench;

import com.wagateway.GatewayApplication;
import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark command ({@code bench/run}, README "Benchmarks"): starts the gateway in sandbox
 * mode on its own embedded database (loopback only), runs every scenario at the sizes given on
 * the command line, and writes {@code results.json} and {@code results.md} to the output folder.
 * Each scenario is bounded and stops by itself; results are measured, never asserted.
 */
public final class Benchmark {

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        GatewayApplication.commonPoolOfAtLeastTwo();
        BenchConfig config = BenchConfig.parse(args);
        Map<String, Object> results = run(config);
        System.out.println(BenchReport.summary(results));
        System.exit(0);
    }

    /** Runs all scenarios and writes the results; returns them. */
    static Map<String, Object> run(BenchConfig c) throws Exception {
        Path dataDir = GatewayHarness.tempDataDir("bench");
        EmulatorProcess emulator = EmulatorProcess.start(dataDir.resolve("emulator-process"));
        Map<String, String> settings = settings(dataDir);
        StatementStats stats = c.pgStats() ? StatementStats.start(dataDir.resolve("postgres-with-stats")) : null;
        if (stats != null) {
            settings.put("gateway.database-url", stats.url());
        }
        settings.put("gateway.engine.sandbox.emulator-url", emulator.url());
        // a burst is one engine command answered when the device acknowledged every message;
        // with Signal decryption a connection's share of the flood takes longer than 30 s
        settings.put("gateway.engine.command-timeout", "300s");
        // a real pairing's first QR comes after a Noise handshake; on a loaded machine that
        // took longer than the harness's 8 s wait for a QR
        settings.put("gateway.lifecycle.qr-wait", "30s");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("started_at", Instant.now().toString());
        results.put("machine", machine());
        results.put("config", c);
        results.put("socket", c.socket());
        // first, while no other gateway runs: inbound decrypt throughput at 1 and 2 engine processes
        scenario(c, results, "pool", "engine_pool", () -> EnginePoolScenario.run(dataDir, emulator, c));
        // then the cluster of one and of two gateway JVMs, and a node killed (each cluster runs alone too)
        scenario(c, results, "cluster", "cluster", () -> ClusterScenario.run(dataDir, emulator, c));
        GatewayHarness[] gw = {GatewayHarness.start(settings)};
        try {
            // each scenario's result is written as soon as it is known, and a failing scenario is
            // recorded as its error while the next ones still run: a late failure (a pairing that
            // timed out at connection 900) must not throw away the figures measured before it
            scenario(c, results, "inbound", "inbound", () -> InboundScenario.run(gw[0], c, stats));
            scenario(c, results, "media", "inbound_media", () -> MediaInboundScenario.run(gw[0], emulator, c));
            scenario(c, results, "send", "send_api", () -> SendScenario.run(gw[0], c, stats));
            scenario(c, results, "idempotency", "idempotency", () -> IdempotencyScenario.run(gw[0], c));
            scenario(c, results, "webhooks", "webhooks", () -> WebhookScenario.run(gw[0], c));
            scenario(c, results, "connections", "connections", () -> ConnectionsScenario.run(gw[0], c, emulator, () -> {
                gw[0].close();
                gw[0] = GatewayHarness.start(settings);
                return gw[0];
            }));
        } finally {
            gw[0].close();
            emulator.close();
            if (stats != null) {
                stats.close();
            }
        }
        results.put("finished_at", Instant.now().toString());
        write(c.out(), results);
        return results;
    }

    /**
     * Sandbox engine (the socket is set by {@link #run}), pacing off, no automatic receipts or history (they would add noise), quiet
     * logs. The embedded database unless {@code DATABASE_URL} names one (it should be empty: the
     * run adds users, connections and messages).
     */
    static Map<String, String> settings(Path dataDir) {
        Map<String, String> s = GatewayHarness.defaults(dataDir);
        String databaseUrl = System.getenv("DATABASE_URL");
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            s.put("gateway.database-url", databaseUrl);
        }
        s.put("gateway.engine.log-level", "warn");
        s.put("gateway.messaging.send-rate-per-minute", "0");
        s.put("gateway.messaging.sandbox-receipt-delay", "0ms");
        s.put("gateway.messaging.sandbox-history-chats", "0");
        s.put("gateway.lifecycle.restore-per-second", "200");
        s.put("gateway.webhooks.allow-private-networks", "true");
        s.put("logging.level.com.wagateway", "WARN");
        s.put("logging.level.engine", "WARN");
        return s;
    }

    /** Runs one included scenario, keeps its result (or its error) and writes what is known so far. */
    private static void scenario(BenchConfig c, Map<String, Object> results, String name, String key,
                                 java.util.concurrent.Callable<Map<String, Object>> run) throws Exception {
        if (!c.includes(name)) {
            return;
        }
        try {
            results.put(key, run.call());
        } catch (Exception | AssertionError e) {
            results.put(key, Map.of("error", String.valueOf(e)));
            e.printStackTrace();
        }
        write(c.out(), results);
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("load_average_at_start", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1024 / 1024);
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    static void write(Path out, Map<String, Object> results) throws Exception {
        Files.createDirectories(out);
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(out.resolve("results.json"), json.writeValueAsString(results));
        JsonNode tree = json.valueToTree(results);
        Files.writeString(out.resolve("results.md"), BenchReport.markdown(tree));
    }
}
