package com.wagateway.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
 * @param sendSeconds      length of each send run (saturation runs, then 50 % and 80 % of saturation offered)
 * @param sendClients      concurrent clients of the saturation run
 * @param sendChats        chats the send scenario writes to, round robin (each gets one message before measuring)
 * @param webhookEvents    events for the webhook throughput and backlog runs
 * @param rampConnections  connections of the ramp / restore scenario
 * @param memoryAt         connection counts during the ramp at which memory per connection is taken
 * @param idemClients      clients sending the same client_message_id at once
 * @param runs             repetitions of the cheap scenarios (the median is reported), and rounds of the
 *                         inbound scenario's pair of floods without and with webhooks
 * @param out              output folder
 * @param mediaInbound     messages of the media scenario's floods (text-only baseline and with media; split over the connections)
 * @param mediaPercent     share of those messages that are images (issue 15: 30)
 * @param mediaBytes       size of each image (issue 15: 100 KB)
 * @param mediaLongFactor  how many times longer the media scenario's long flood is (memory must not grow with it)
 * @param clusterConnections connections linked per gateway JVM in the cluster scenario ({@code --cluster-connections},
 *                         by default {@code connections}); the failover moves the killed node's share of them
 * @param clusterInbound   inbound messages of the cluster scenario's floods ({@code --cluster-inbound}, by default
 *                         {@code inbound}; split over all the cluster's connections)
 * @param only             scenarios to run (pool, cluster, inbound, media, send, idempotency, webhooks, connections); empty = all
 * @param socket           the sandbox socket: always {@code emulator}, the real Baileys socket
 *                         against a standalone emulated WhatsApp (the fake socket the "before"
 *                         tables were measured on is gone), kept as a field so results name it
 * @param pgStats          run the gateway on a database with {@code pg_stat_statements} and report
 *                         the send phases' statements and commits ({@link StatementStats})
 */
record BenchConfig(int connections, int inbound, int inboundBatch, int sendSeconds, int sendClients, int sendChats,
                   int webhookEvents, int rampConnections, List<Integer> memoryAt, int idemClients, int runs,
                   int mediaInbound, int mediaPercent, int mediaBytes, int mediaLongFactor,
                   int clusterConnections, int clusterInbound, Path out,
                   Set<String> only, String socket, boolean pgStats) {

    static final Set<String> SOCKETS = Set.of("emulator");

    static final Set<String> SCENARIOS = Set.of("pool", "cluster", "inbound", "media", "send", "idempotency", "webhooks", "connections");

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
        String socket = a.getOrDefault("socket", d.socket);
        if (!SOCKETS.contains(socket)) {
            throw new IllegalArgumentException("--socket is one of " + SOCKETS + ", not " + socket);
        }
        int ramp = i(a, "ramp-connections", d.rampConnections);
        List<Integer> memoryAt = a.containsKey("memory-at") ? counts(a.get("memory-at"))
                : d.memoryAt.stream().filter(n -> n < ramp).toList();
        if (!memoryAt.contains(ramp)) {
            memoryAt = java.util.stream.Stream.concat(memoryAt.stream(), java.util.stream.Stream.of(ramp)).sorted().toList();
        }
        if (memoryAt.stream().anyMatch(n -> n < 1 || n > ramp)) {
            throw new IllegalArgumentException("--memory-at counts must lie in 1.." + ramp + ": " + memoryAt);
        }
        int connections = i(a, "connections", d.connections);
        int inbound = i(a, "inbound", d.inbound);
        return new BenchConfig(connections, inbound,
                i(a, "inbound-batch", d.inboundBatch), i(a, "send-seconds", d.sendSeconds),
                i(a, "send-clients", d.sendClients), i(a, "send-chats", d.sendChats),
                i(a, "webhook-events", d.webhookEvents),
                ramp, memoryAt, i(a, "idem-clients", d.idemClients), i(a, "runs", d.runs),
                i(a, "media-inbound", d.mediaInbound), percent(i(a, "media-percent", d.mediaPercent)),
                i(a, "media-bytes", d.mediaBytes), i(a, "media-long-factor", d.mediaLongFactor),
                i(a, "cluster-connections", connections), i(a, "cluster-inbound", inbound),
                Path.of(a.getOrDefault("out", d.out.toString())), only(a.get("only")), socket,
                Boolean.parseBoolean(a.getOrDefault("pg-stats", "false")));
    }

    private static int percent(int p) {
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("--media-percent is 0..100, not " + p);
        }
        return p;
    }

    /** {@code 100,1000} → sorted distinct counts. */
    private static List<Integer> counts(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).distinct().sorted().toList();
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

    /**
     * The full run on the real socket. Sized for it (docs/benchmarks.md): every inbound message is
     * Signal-decrypted by Baileys, every send Signal-encrypted, every ramp connection pairs for
     * real, so 10,000 inbound messages and 1,000 connections (memory taken at
     * 100 and 1,000) instead of the simulated socket's 50,000, 1,000/s and 5,000.
     */
    static BenchConfig full() {
        return new BenchConfig(10, 10_000, 50, 10, 32, 1_000, 20_000, 1_000, List.of(100, 1_000), 100, 3,
                2_000, 30, 100 * 1024, 3, 10, 10_000, Path.of("target", "bench"), Set.of(), "emulator", false);
    }

    /**
     * Seconds-long, on the real socket like the full run, so the suite exercises the same path. The
     * cluster part is the smallest that still checks something: one connection per gateway JVM (the
     * two-node cluster has twice the one-node's, and the kill -9 moves exactly one) and a flood of
     * a few messages per connection; its JVM starts, links and lease expiry are its cost, not the flood.
     */
    static BenchConfig smoke() {
        return new BenchConfig(2, 400, 20, 1, 4, 20, 200, 4, List.of(2, 4), 10, 1, 40, 30, 100 * 1024, 2, 1, 20,
                Path.of("target", "bench-smoke"), Set.of(), "emulator", false);
    }

    private static int i(Map<String, String> a, String k, int dflt) {
        return a.containsKey(k) ? Integer.parseInt(a.get(k)) : dflt;
    }
}
