package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The engine pool (ENGINE_PROCESSES=2) with real engine processes, real Baileys sockets against
 * the one emulator they share, and real PostgreSQL: connections land on the process the hash
 * names, messages flow both ways on both processes, and killing one process (kill -9) brings only
 * its connections back through the restart path — without a QR — while the other process'
 * connections never change status and keep sending.
 */
class EnginePoolIntegrationTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String PEER = "923005550000";

    @Test
    void connectionsAreSpreadByHashAndACrashTouchesOnlyItsShare() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("pool"));
        settings.put("gateway.engine.processes", "2");
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            EngineSupervisor supervisor = gw.bean(EngineSupervisor.class);
            assertThat(supervisor.processCount()).isEqualTo(2);
            // two connections per process, chosen by the documented hash
            Map<Integer, List<String>> byProcess = new HashMap<>();
            for (int i = 0; byProcess.getOrDefault(0, List.of()).size() < 2 || byProcess.getOrDefault(1, List.of()).size() < 2; i++) {
                String id = "pool_" + i;
                List<String> ids = byProcess.computeIfAbsent(EngineShare.indexOf(id, 2), k -> new ArrayList<>());
                if (ids.size() < 2) {
                    ids.add(id);
                }
            }
            List<String> stay = byProcess.get(0);
            List<String> crash = byProcess.get(1);
            int phone = 0;
            for (String id : List.of(stay.get(0), crash.get(0), stay.get(1), crash.get(1))) {
                gw.link(id, "92321000000" + phone++, LONG);
            }
            // the health endpoint lists both processes, each holding its two sockets
            JsonNode processes = awaitProcesses(gw, p -> p.path(0).path("connections").asInt() == 2
                    && p.path(1).path("connections").asInt() == 2);
            assertThat(processes).hasSize(2);
            long pid0 = processes.path(0).path("pid").asLong();
            long pid1 = processes.path(1).path("pid").asLong();
            assertThat(pid0).isPositive().isNotEqualTo(pid1);
            assertThat(pid1).isPositive();
            assertThat(processes.path(0).path("index").asInt()).isZero();
            assertThat(processes.path(1).path("index").asInt()).isEqualTo(1);
            assertThat(processes.path(0).path("up").asBoolean()).isTrue();
            assertThat(processes.path(1).path("up").asBoolean()).isTrue();
            for (String id : stay) {
                assertThat(supervisor.holds(0, id) && !supervisor.holds(1, id)).as(id + " runs on process 0").isTrue();
            }
            for (String id : crash) {
                assertThat(supervisor.holds(1, id) && !supervisor.holds(0, id)).as(id + " runs on process 1").isTrue();
            }

            // messages flow both ways on both processes
            for (String id : List.of(stay.get(0), crash.get(0))) {
                sendAndAwaitAccepted(gw, id, "before-" + id);
                receiveAndAwaitStored(gw, id, "hello " + id);
            }

            Map<String, List<String>> statuses = new HashMap<>();
            for (String id : List.of(stay.get(0), stay.get(1), crash.get(0), crash.get(1))) {
                statuses.put(id, gw.recordStatuses(id));
            }
            ProcessHandle.of(pid1).orElseThrow().destroyForcibly(); // kill -9 of process 1 only
            // its connections go through the restart path; meanwhile process 0 keeps sending
            awaitTrue(() -> statuses.get(crash.get(0)).contains("reconnecting"), "process 1's share shows reconnecting");
            sendAndAwaitAccepted(gw, stay.get(0), "during-crash");
            for (String id : crash) {
                awaitTrue(() -> RestartIntegrationTest.readyAfterReconnecting(statuses.get(id)), id + " ready again");
                assertThat(statuses.get(id)).as(id).contains("reconnecting").doesNotContain("qr_ready").endsWith("ready");
            }
            // a later inbound message on each untouched connection is stored: engine events are
            // handled in order, so every status change of theirs would have been recorded by now
            for (String id : stay) {
                receiveAndAwaitStored(gw, id, "after " + id);
                assertThat(statuses.get(id)).as(id + " never left ready").isEmpty();
                assertThat(gw.get("/api/whatsapp-web/status/" + id).json().path("status").asString()).isEqualTo("ready");
            }
            // the restarted process serves its connections again
            sendAndAwaitAccepted(gw, crash.get(0), "after-crash");
            receiveAndAwaitStored(gw, crash.get(1), "after restart");

            JsonNode after = awaitProcesses(gw, p -> p.path(1).path("up").asBoolean() && p.path(1).path("connections").asInt() == 2);
            assertThat(after.path(0).path("pid").asLong()).as("process 0 was not restarted").isEqualTo(pid0);
            assertThat(after.path(0).path("restarts").asInt()).isZero();
            assertThat(after.path(1).path("pid").asLong()).isPositive().isNotEqualTo(pid1);
            assertThat(after.path(1).path("restarts").asInt()).isEqualTo(1);
            assertThat(after.path(0).path("connections").asInt()).isEqualTo(2);
            String metrics = gw.get("/actuator/prometheus").raw();
            assertThat(metrics).contains("gateway_engine_process_restarts{process=\"1\"} 1.0")
                    .contains("gateway_engine_process_up{process=\"0\"} 1.0");
        }
    }

    /**
     * A service restart with the same ENGINE_PROCESSES puts every connection back on the same
     * process, without a QR: the sessions are restored, and so is the shared emulator (restarted
     * on its state folder), which still knows the linked devices.
     */
    @Test
    void aServiceRestartPutsEachConnectionBackOnItsProcessWithoutAQr() {
        java.nio.file.Path dir = GatewayHarness.tempDataDir("pool-restart");
        Map<String, String> settings = GatewayHarness.defaults(dir);
        settings.put("gateway.engine.processes", "2");
        String first = null;
        String second = null;
        for (int i = 0; first == null || second == null; i++) {
            String id = "poolr_" + i;
            if (EngineShare.indexOf(id, 2) == 0 && first == null) {
                first = id;
            } else if (EngineShare.indexOf(id, 2) == 1 && second == null) {
                second = id;
            }
        }
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            gw.link(first, "923220000001", LONG);
            gw.link(second, "923220000002", LONG);
        }
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            for (String id : List.of(first, second)) {
                gw.awaitStatus(id, st -> {
                    assertThat(st.path("status").asString()).as("no QR for a linked session").isNotEqualTo("qr_ready");
                    return "ready".equals(st.path("status").asString());
                }, LONG);
            }
            EngineSupervisor supervisor = gw.bean(EngineSupervisor.class);
            String a = first;
            String b = second;
            awaitTrue(() -> supervisor.holds(0, a) && supervisor.holds(1, b), "each connection on its process");
            assertThat(supervisor.holds(1, a) || supervisor.holds(0, b)).isFalse();
            sendAndAwaitAccepted(gw, b, "after-service-restart");
        }
    }

    /**
     * The shared emulator is no engine process' child: when it dies (kill -9) the JVM starts it
     * again on the same port from its state folder, and every connection of both processes comes
     * back to ready without a QR.
     */
    @Test
    void aKilledSharedEmulatorIsRestartedAndEveryConnectionReturnsWithoutAQr() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("pool-emulator"));
        settings.put("gateway.engine.processes", "2");
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 2; i++) {
            String id = "poole_" + i;
            if (EngineShare.indexOf(id, 2) == ids.size()) {
                ids.add(id);
            }
        }
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            gw.link(ids.get(0), "923230000001", LONG);
            gw.link(ids.get(1), "923230000002", LONG);
            EngineSupervisor supervisor = gw.bean(EngineSupervisor.class);
            long emulatorPid = supervisor.sharedEmulatorPid();
            assertThat(emulatorPid).isPositive();
            List<Long> enginePids = supervisor.processes().stream().map(EngineProcessState::pid).toList();
            // the emulator saves its state 200 ms after a change (store.js): wait until both linked
            // accounts are in its state file, which the restarted emulator reads
            java.nio.file.Path state = gw.dataDir().resolve("emulator").resolve("state.json");
            awaitTrue(() -> {
                try {
                    String text = java.nio.file.Files.exists(state) ? java.nio.file.Files.readString(state) : "";
                    return text.contains("923230000001") && text.contains("923230000002");
                } catch (java.io.IOException e) {
                    return false; // being replaced right now: read it again
                }
            }, "both accounts saved by the emulator");
            Map<String, List<String>> statuses = new HashMap<>();
            for (String id : ids) {
                statuses.put(id, gw.recordStatuses(id));
            }
            ProcessHandle.of(emulatorPid).orElseThrow().destroyForcibly();
            for (String id : ids) {
                List<String> seen = statuses.get(id);
                awaitTrue(() -> !seen.isEmpty() && seen.stream().anyMatch(st -> !"ready".equals(st))
                        && "ready".equals(seen.get(seen.size() - 1)), id + " dropped and ready again");
                assertThat(seen).as(id).doesNotContain("qr_ready", "logged_out");
            }
            assertThat(supervisor.sharedEmulatorPid()).isPositive().isNotEqualTo(emulatorPid);
            assertThat(supervisor.processes().stream().map(EngineProcessState::pid).toList())
                    .as("no engine process was restarted").isEqualTo(enginePids);
            sendAndAwaitAccepted(gw, ids.get(1), "after-emulator-restart");
        }
    }

    private static void sendAndAwaitAccepted(GatewayHarness gw, String id, String clientId) {
        ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"" + id + "\",\"to\":\"" + PEER
                + "\",\"message\":\"pool " + clientId + "\",\"client_message_id\":\"" + clientId + "\"}");
        assertThat(r.status()).as(r.raw()).isIn(200, 202);
        JsonNode m = gw.awaitMessage(id, clientId, x -> !"queued".equals(x.path("status").asString()), LONG);
        assertThat(m.path("status").asString()).as(m.toString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(gw.sandboxSentCount(id, m.path("provider_message_id").asString())).isEqualTo(1);
    }

    private static void receiveAndAwaitStored(GatewayHarness gw, String id, String text) {
        ApiClient.Response in = gw.post("/api/sandbox/" + id + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"" + text + "\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String providerId = in.json().path("provider_message_id").asString();
        String sql = "SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id = ? AND direction = 'inbound'";
        awaitTrue(() -> gw.count(sql, id, providerId) > 0, "inbound " + providerId + " stored on " + id);
        assertThat(gw.count(sql, id, providerId)).isEqualTo(1);
    }

    /** Polls the health endpoint's engine processes until {@code until} holds. */
    private static JsonNode awaitProcesses(GatewayHarness gw, java.util.function.Predicate<JsonNode> until) {
        JsonNode[] last = new JsonNode[1];
        awaitTrue(() -> {
            last[0] = gw.get("/actuator/health").json().path("components").path("engine").path("details").path("processes");
            return until.test(last[0]);
        }, "engine processes in health");
        return last[0];
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LONG + ": " + what);
            }
            GatewayHarness.sleep(50);
        }
    }
}
