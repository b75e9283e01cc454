package com.wagateway.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A real HTTP webhook receiver on loopback (JDK HttpServer) for integration tests: it records
 * every request (headers, raw body, arrival time) and answers what {@link #answer} decides. It
 * can be stopped and started again on the same port, so "receiver down" is a refused connection.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One received request. {@code status} is what this receiver answered. */
    public record Received(String event, String id, String timestamp, String signature, String contentType,
                           String body, long atNanos, int status) {
        public JsonNode json() {
            return GatewayHarness.JSON.readTree(body);
        }
    }

    /** An answer: status, body, extra headers. */
    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer of(int status) {
            return new Answer(status, "ok", Map.of());
        }
    }

    static {
        // the JDK server otherwise writes headers and body under Nagle's algorithm and waits ~40 ms
        // for the client's delayed ACK on every answer; real receivers set TCP_NODELAY. The JDK
        // reads this once, when its first server loads (any test's), so the test and bench JVMs
        // are also started with it (pom.xml); this line covers a JVM started otherwise (an IDE)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private volatile int port;
    /**
     * Guarded by itself. Not a copy-on-write list: that copied every request received so far on
     * each new one, quadratic over a benchmark's run (whose receiver shares the gateway's JVM).
     */
    private final List<Received> received = new ArrayList<>();
    private volatile Function<Received, Answer> answer = r -> Answer.of(200);
    private HttpServer server;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /** A receiver on a free port, not started (connections are refused until {@link #start}). */
    public static WebhookReceiver down() {
        try (ServerSocket s = new ServerSocket(0)) {
            return new WebhookReceiver(s.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A started receiver answering 200, on a port the kernel picks as it binds (no pick-then-bind race). */
    public static WebhookReceiver up() {
        return new WebhookReceiver(0).start();
    }

    public synchronized WebhookReceiver start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
            port = server.getAddress().getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            var h = ex.getRequestHeaders();
            Received probe = new Received(h.getFirst("X-Webhook-Event"), h.getFirst("X-Webhook-Id"),
                    h.getFirst("X-Webhook-Timestamp"), h.getFirst("X-Webhook-Signature"), h.getFirst("Content-Type"),
                    body, System.nanoTime(), 0);
            Answer a = answer.apply(probe);
            Received got = new Received(probe.event(), probe.id(), probe.timestamp(), probe.signature(), probe.contentType(),
                    body, probe.atNanos(), a.status());
            synchronized (received) {
                received.add(got);
            }
            a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            server = null;
        }
    }

    /** Decides the answer for each request (default: 200 "ok"). */
    public WebhookReceiver answer(Function<Received, Answer> f) {
        this.answer = f;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    /** Forgets what was received so far (a test's warm-up). */
    public void clear() {
        synchronized (received) {
            received.clear();
        }
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Requests answered 2xx, in arrival order. */
    public List<Received> accepted() {
        synchronized (received) {
            return received.stream().filter(r -> r.status() >= 200 && r.status() < 300).toList();
        }
    }

    /** Waits until the received requests satisfy {@code until}; fails with what arrived. */
    public List<Received> await(Predicate<List<Received>> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> now = received();
            if (until.test(now)) {
                return now;
            }
            GatewayHarness.sleep(25);
        }
        throw new AssertionError("receiver did not get the expected requests in " + timeout + "; got "
                + received().stream().map(r -> r.status() + " " + r.event() + " " + r.body()).toList());
    }

    @Override
    public void close() {
        stop();
    }
}
