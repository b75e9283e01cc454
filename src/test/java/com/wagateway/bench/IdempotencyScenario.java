package com.wagateway.bench;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Scenario 5: the same client_message_id from many clients at once — exactly one send. */
final class IdempotencyScenario {

    private IdempotencyScenario() {
    }

    static Map<String, Object> run(GatewayHarness gw, BenchConfig c) throws Exception {
        // its own connection: the emulator's ledger of bench_send holds every message of the send
        // scenario, and reading it whole took longer than the engine's 30 s control timeout
        String id = "bench_idem";
        gw.link(id, "923460000002", java.time.Duration.ofSeconds(60));
        String cid = "bench-idem-" + System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(c.idemClients());
        List<Future<ApiClient.Response>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < c.idemClients(); i++) {
            answers.add(pool.submit(() -> gw.post("/api/send-message", "{\"connection_id\":\"" + id
                    + "\",\"to\":\"923470009999\",\"message\":\"exactly once\",\"client_message_id\":\"" + cid + "\"}")));
        }
        int ok = 0;
        String providerId = null;
        for (Future<ApiClient.Response> f : answers) {
            ApiClient.Response r = f.get();
            if (r.status() == 200 || r.status() == 202) {
                ok++;
                providerId = r.json().path("provider_message_id").asString();
            }
        }
        double ms = (System.nanoTime() - start) / 1e6;
        pool.shutdown();
        // the contact's ledger is read once the gateway recorded WhatsApp's ack (status sent or
        // later): on the real socket the message may still be on its way a moment after the answers
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = ? AND status <> 'queued'",
                id, cid) == 0 && System.nanoTime() < deadline) {
            GatewayHarness.sleep(50);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clients", c.idemClients());
        r.put("accepted_answers", ok);
        r.put("rows", gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = ?", id, cid));
        r.put("whatsapp_sends", gw.sandboxSentCount(id, providerId));
        r.put("all_answers_ms", Stats.round(ms));
        return r;
    }
}
