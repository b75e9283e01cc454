package com.wagateway.cluster;

import com.wagateway.bench.EmulatorProcess;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.GatewayProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steady load of the failover test: sender threads posting {@code /api/send-message} with
 * unique {@code client_message_id}s, round-robin over the connections and over the nodes that are
 * up, and one thread injecting inbound texts from the emulator's contacts to the accounts.
 *
 * <p>Guarantees: a send is recorded as accepted only when a node answered 200 or 202; a request
 * that failed because its node died or froze (no answer, 5xx) is sent again to the next node with
 * the same {@code client_message_id}, as a client behind a load balancer would, until a node
 * accepts it. Any other answer is recorded as an error (the test fails on it). An inbound message
 * is recorded once the emulator took it (delivered live or kept for the device's next login).
 */
final class FailoverLoad implements AutoCloseable {

    /** The contact every send goes to. */
    static final String PEER = "923001112233";

    private final List<GatewayProcess> nodes;
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final String key;
    private final List<String> connections;
    private final Map<String, String> phones;
    private final EmulatorProcess emulator;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** Accepted client_message_id → connection id. */
    final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** Inbound message id → connection id. */
    final Map<String, String> inbound = new ConcurrentHashMap<>();
    /** Answers that were neither accepted nor a dead node's failure. */
    final List<String> errors = new CopyOnWriteArrayList<>();
    /** Requests sent again to another node because theirs failed. */
    final AtomicLong retried = new AtomicLong();
    private final AtomicLong sendSeq = new AtomicLong();
    private final AtomicLong inboundSeq = new AtomicLong();

    FailoverLoad(List<GatewayProcess> nodes, String key, List<String> connections, Map<String, String> phones,
                 EmulatorProcess emulator) {
        this.nodes = nodes;
        this.key = key;
        this.connections = connections;
        this.phones = phones;
        this.emulator = emulator;
    }

    /** Starts {@code senders} sender threads and one inbound thread, each pausing {@code pauseMs} between messages. */
    FailoverLoad start(int senders, long pauseMs) {
        for (int i = 0; i < senders; i++) {
            threads.add(thread("load-send-" + i, () -> loop(this::sendOne, pauseMs)));
        }
        threads.add(thread("load-inbound", () -> loop(this::inboundOne, pauseMs)));
        return this;
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The node is down (killed or paused): no new request goes to it. */
    void markDown(GatewayProcess node) {
        down.add(node.nodeId());
    }

    private void loop(Runnable step, long pauseMs) {
        while (running) {
            try {
                step.run();
            } catch (RuntimeException e) {
                errors.add(Thread.currentThread().getName() + ": " + e);
            }
            GatewayHarness.sleep(pauseMs);
        }
    }

    /** One send, tried node after node (same client_message_id) until one accepts it. */
    private void sendOne() {
        long n = sendSeq.getAndIncrement();
        String cmid = "fo-" + n;
        String connection = connections.get((int) (n % connections.size()));
        String body = "{\"connection_id\":\"" + connection + "\",\"to\":\"" + PEER + "\",\"message\":\"" + text(cmid)
                + "\",\"client_message_id\":\"" + cmid + "\"}";
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        int attempt = 0;
        while (System.nanoTime() < deadline) {
            List<GatewayProcess> up = nodes.stream().filter(x -> !down.contains(x.nodeId())).toList();
            GatewayProcess node = up.get((int) ((n + attempt) % up.size()));
            attempt++;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/send-message"))
                        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 || r.statusCode() == 202) {
                    accepted.put(cmid, connection);
                    return;
                }
                if (r.statusCode() < 500) {
                    errors.add(cmid + " via " + node.nodeId() + ": " + r.statusCode() + " " + r.body());
                    return;
                }
            } catch (IOException e) {
                // the node died (or froze) under the request: the next node gets the same message
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            retried.incrementAndGet();
            GatewayHarness.sleep(100);
        }
        errors.add(cmid + ": no node accepted it within 3 minutes");
    }

    /** One inbound text from one of ten contacts to the next account, up to the kill and through it. */
    private void inboundOne() {
        long n = inboundSeq.getAndIncrement();
        String connection = connections.get((int) (n % connections.size()));
        String id = "FOIN" + n;
        String from = "9234500000" + (n % 10);
        emulator.inbound(phones.get(connection), from, "inbound " + id, id);
        inbound.put(id, connection);
    }

    /** The text of the send with this client_message_id (unique, so a second send of it would show in the ledger). */
    static String text(String cmid) {
        return "failover " + cmid;
    }

    /** Stops the threads and waits for them (an in-flight send finishes its retries). */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(Duration.ofMinutes(4).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
