package com.wagateway.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Sizes of one benchmark run, from {@code --name=value} arguments. The defaults are the full run
 * recorded in docs/benchmarks.md (well under 15 minutes on 2 cores); {@link #smoke()} is the
 * seconds-long run the test suite makes so the command cannot rot.
 *
 * @param connections      ready connections for the inbound scenario
 * @param inbound          inbound messages emitted (split over the connections)
 * @param inboundBatch     messages per messages.upsert event
 * @param sendRate         offered load of the fixed-rate send run (requests/s)
 * @param sendSeconds      length of each send run
 * @param sendClients      concurrent clients of the saturation run
 * @param webhookEvents    events for the webhook throughput and backlog runs
 * @param rampConnections  connections of the ramp / restore scenario
 * @param idemClients      clients sending the same client_message_id at once
 * @param runs             repetitions of the cheap scenarios (the median is reported)
 * @param out              output folder
 * @param only             scenarios to run (inbound, send, idempotency, webhooks, connections); empty = all
 */
record BenchConfig(int connections, int inbound, int inboundBatch, int sendRate, int sendSeconds, int sendClients,
                   int webhookEvents, int rampConnections, int idemClients, int runs, Path out, Set<String> only) {

    static final Set<String> SCENARIOS = Set.of("inbound", "send", "idempotency", "webhooks", "connections");

    /** Whether this run includes the named scenario. */
    boolean includes(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    static BenchConfig parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.isEmpty()) {
                continue;
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments look like --inbound=50000, not " + arg);
            }
            a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        BenchConfig d = full();
        return new BenchConfig(i(a, "connections", d.connections), i(a, "inbound", d.inbound),
                i(a, "inbound-batch", d.inboundBatch), i(a, "send-rate", d.sendRate), i(a, "send-seconds", d.sendSeconds),
                i(a, "send-clients", d.sendClients), i(a, "webhook-events", d.webhookEvents),
                i(a, "ramp-connections", d.rampConnections), i(a, "idem-clients", d.idemClients), i(a, "runs", d.runs),
                Path.of(a.getOrDefault("out", d.out.toString())), only(a.get("only")));
    }

    private static Set<String> only(String list) {
        if (list == null || list.isBlank()) {
            return Set.of();
        }
        Set<String> names = Set.of(list.split(","));
        for (String n : names) {
            if (!SCENARIOS.contains(n)) {
                throw new IllegalArgumentException("--only names scenarios from " + SCENARIOS + ", not " + n);
            }
        }
        return names;
    }

    static BenchConfig full() {
        return new BenchConfig(10, 50_000, 50, 1000, 10, 32, 20_000, 5_000, 100, 3, Path.of("target", "bench"), Set.of());
    }

    static BenchConfig smoke() {
        return new BenchConfig(2, 400, 20, 50, 1, 4, 200, 4, 10, 1, Path.of("target", "bench-smoke"), Set.of());
    }

    private static int i(Map<String, String> a, String k, int dflt) {
        return a.containsKey(k) ? Integer.parseInt(a.get(k)) : dflt;
    }
}
