package com.wagateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageLoaderTest {

    static final int MAX = 1024;
    static final byte[] PNG = image(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'}, 64);
    static final byte[] JPEG = image(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F'}, 64);
    static final byte[] WEBP = image(new byte[] {'R', 'I', 'F', 'F', 56, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '}, 64);
    static final byte[] GIF = image("GIF89a".getBytes(StandardCharsets.US_ASCII), 64);

    static HttpServer server;
    static ExecutorService pool;
    static String base;
    static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    static volatile CountDownLatch endlessHungUp;

    /** Loopback is a private address, so most fetch tests allow private networks. */
    final ImageLoader loader = new ImageLoader(new PublicAddressGuard(true), Duration.ofSeconds(5), MAX);

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        route("/png", ex -> send(ex, 200, "text/plain", PNG)); // a lying Content-Type: bytes decide
        route("/jpeg", ex -> send(ex, 200, "image/jpeg", JPEG));
        route("/webp", ex -> send(ex, 200, "image/webp", WEBP));
        route("/html", ex -> send(ex, 200, "text/html", "<!doctype html><p>hi</p>".getBytes(StandardCharsets.UTF_8)));
        route("/missing", ex -> send(ex, 404, "text/plain", "no".getBytes(StandardCharsets.UTF_8)));
        route("/empty", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        route("/exactly-max", ex -> send(ex, 200, "image/png", image(PNG, MAX)));
        route("/chunked-ok", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (byte b : PNG) {
                    out.write(b);
                    out.flush();
                }
            }
        });
        // Content-Length far above the limit, then a stall: only a loader that trusts the header
        // (and reads nothing) answers image_too_large quickly.
        route("/declared-huge", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/png");
            ex.sendResponseHeaders(200, 1_000_000_000L);
            try {
                ex.getResponseBody().write(PNG);
                ex.getResponseBody().flush();
                Thread.sleep(3000);
            } catch (InterruptedException | IOException ignored) {
                // test over or client gone
            }
            ex.close();
        });
        // Chunked, no length, never ends on its own: the loader must stop reading and hang up.
        route("/chunked-endless", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            try {
                out.write(PNG);
                byte[] chunk = new byte[4096];
                for (long sent = 0; sent < 256L * 1024 * 1024; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException clientHungUp) {
                endlessHungUp.countDown();
            }
            ex.close();
        });
        route("/slow", ex -> {
            sleep(3000);
            send(ex, 200, "image/png", PNG);
        });
        // Headers at once, then one byte every 100 ms: the deadline must cover the body too.
        route("/trickle", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (byte b : PNG) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException | IOException ignored) {
                // test over or client gone
            }
        });
        route("/redirect/", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/redirect/".length()));
            // alternate relative and absolute Locations
            String next = n == 0 ? "/png" : (n % 2 == 0 ? "/redirect/" + (n - 1) : base + "/redirect/" + (n - 1));
            redirect(ex, 302, next);
        });
        route("/redirect-307", ex -> redirect(ex, 307, "/jpeg"));
        route("/redirect-to-localhost", ex -> redirect(ex, 302,
                "http://localhost:" + server.getAddress().getPort() + "/png"));
        route("/redirect-to-ftp", ex -> redirect(ex, 301, "ftp://127.0.0.1/x.png"));
        route("/redirect-without-location", ex -> send(ex, 302, "text/plain", new byte[0]));
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        pool.shutdownNow();
    }

    @BeforeEach
    void resetCounters() {
        hits.values().forEach(c -> c.set(0));
        endlessHungUp = new CountDownLatch(1);
    }

    // ---- fetching by URL ----

    @ParameterizedTest
    @ValueSource(strings = {"/png:image/png", "/jpeg:image/jpeg", "/webp:image/webp", "/chunked-ok:image/png"})
    void fetchesAndSniffs(String pathAndType) {
        String[] p = pathAndType.split(":");
        LoadedImage img = loader.load(base + p[0], null, null);
        assertThat(img.mimeType()).isEqualTo(p[1]);
        assertThat(img.bytes()).isEqualTo(p[1].equals("image/png") ? PNG : p[1].equals("image/jpeg") ? JPEG : WEBP);
    }

    @Test
    void bodyOfExactlyTheLimitIsAccepted() {
        assertThat(loader.load(base + "/exactly-max", null, "image/png").bytes()).hasSize(MAX);
    }

    @Test
    void followsUpToThreeRedirects() {
        assertThat(loader.load(base + "/redirect/2", null, null).bytes()).isEqualTo(PNG); // 3 hops
        assertThat(loader.load(base + "/redirect-307", null, null).mimeType()).isEqualTo("image/jpeg");
    }

    @Test
    void refusesAFourthRedirect() {
        ApiException.InvalidInput e = refusal(() -> loader.load(base + "/redirect/3", null, null));
        assertRefused(e, "image_fetch_failed", "image_url");
        assertThat(e.getMessage()).contains("more than 3");
        assertThat(hits.get("/png").get()).isZero();
    }

    @Test
    void guardRunsBeforeTheFirstRequest() {
        ImageLoader strict = new ImageLoader(new PublicAddressGuard(false), Duration.ofSeconds(5), MAX);
        assertRefused(refusal(() -> strict.load(base + "/png", null, null)), "private_network", "image_url");
        assertThat(hits.get("/png").get()).isZero();
    }

    @Test
    void guardRechecksEachRedirectTarget() {
        // 127.0.0.1 stands in for a public host; every other URL goes through the real guard,
        // which forbids private networks (localhost resolves to loopback).
        PublicAddressGuard publicOnly = new PublicAddressGuard(false) {
            @Override
            public Target resolve(String url) {
                URI u = PublicAddressGuard.parse(url);
                return "127.0.0.1".equals(u.getHost())
                        ? new Target(u, java.net.InetAddress.getLoopbackAddress()) : super.resolve(url);
            }
        };
        ImageLoader strict = new ImageLoader(publicOnly, Duration.ofSeconds(5), MAX);
        assertThat(strict.load(base + "/png", null, null).mimeType()).isEqualTo("image/png");
        hits.get("/png").set(0);

        assertRefused(refusal(() -> strict.load(base + "/redirect-to-localhost", null, null)), "private_network", "image_url");
        assertThat(hits.get("/redirect-to-localhost").get()).isEqualTo(1);
        assertThat(hits.get("/png").get()).as("the private target must never be requested").isZero();
    }

    @Test
    void redirectToANonHttpSchemeIsRefusedByTheGuard() {
        assertRefused(refusal(() -> loader.load(base + "/redirect-to-ftp", null, null)), "invalid_url", "image_url");
    }

    @Test
    void redirectWithoutLocationFails() {
        assertRefused(refusal(() -> loader.load(base + "/redirect-without-location", null, null)), "image_fetch_failed", "image_url");
    }

    @Test
    void declaredOversizeIsRefusedBeforeReading() {
        long start = System.nanoTime();
        assertRefused(refusal(() -> loader.load(base + "/declared-huge", null, null)), "image_too_large", "image_url");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void chunkedOversizeIsCutOffAtTheCap() throws InterruptedException {
        long start = System.nanoTime();
        assertRefused(refusal(() -> loader.load(base + "/chunked-endless", null, null)), "image_too_large", "image_url");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(endlessHungUp.await(10, TimeUnit.SECONDS)).as("the loader must hang up").isTrue();
    }

    @Test
    void slowServerTimesOut() {
        ImageLoader impatient = new ImageLoader(new PublicAddressGuard(true), Duration.ofMillis(300), MAX);
        long start = System.nanoTime();
        ApiException.InvalidInput e = refusal(() -> impatient.load(base + "/slow", null, null));
        assertRefused(e, "image_fetch_failed", "image_url");
        assertThat(e.getMessage()).contains("timed out after 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void tricklingBodyTimesOut() {
        ImageLoader impatient = new ImageLoader(new PublicAddressGuard(true), Duration.ofMillis(500), MAX);
        long start = System.nanoTime();
        ApiException.InvalidInput e = refusal(() -> impatient.load(base + "/trickle", null, null));
        assertRefused(e, "image_fetch_failed", "image_url");
        assertThat(e.getMessage()).contains("timed out after 500ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void notFoundFailsWithTheStatus() {
        ApiException.InvalidInput e = refusal(() -> loader.load(base + "/missing", null, null));
        assertRefused(e, "image_fetch_failed", "image_url");
        assertThat(e.getMessage()).contains("404");
    }

    @Test
    void connectionRefusedFails() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertRefused(refusal(() -> loader.load("http://127.0.0.1:" + port + "/x.png", null, null)), "image_fetch_failed", "image_url");
    }

    @Test
    void htmlIsNotAnImage() {
        ApiException.InvalidInput e = refusal(() -> loader.load(base + "/html", null, null));
        assertRefused(e, "unsupported_image_type", "image_url");
        assertThat(e.getMessage()).contains("JPEG, PNG or WebP only");
    }

    @Test
    void emptyBodyIsRefused() {
        assertRefused(refusal(() -> loader.load(base + "/empty", null, null)), "empty_image", "image_url");
    }

    @Test
    void fetchedTypeMustMatchMimeType() {
        assertRefused(refusal(() -> loader.load(base + "/png", null, "image/jpeg")), "mime_type_mismatch", "mime_type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/x.png", "file:///etc/passwd", "not a url", "http:///x.png"})
    void malformedUrlIsRefused(String url) {
        assertRefused(refusal(() -> loader.load(url, null, null)), "invalid_url", "image_url");
    }

    @Test
    void invalidMimeTypeIsRefusedBeforeFetching() {
        assertRefused(refusal(() -> loader.load(base + "/png", null, "image/gif")), "invalid_mime_type", "mime_type");
        assertThat(hits.get("/png").get()).isZero();
    }

    @Test
    void bothSourcesAreRefused() {
        ApiException.InvalidInput e = refusal(() -> loader.load(base + "/png", b64(PNG), null));
        assertRefused(e, "invalid_image_source", "image_url");
        assertThat(e.getMessage()).contains("not both");
        assertThat(hits.get("/png").get()).isZero();
    }

    // ---- helpers ----

    interface Call {
        LoadedImage run();
    }

    static ApiException.InvalidInput refusal(Call call) {
        try {
            LoadedImage img = call.run();
            throw new AssertionError("expected a refusal, got " + img);
        } catch (ApiException.InvalidInput e) {
            return e;
        }
    }

    static void assertRefused(ApiException.InvalidInput e, String code, String field) {
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).as("code (message: %s)", e.getMessage()).isEqualTo(code);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).isNotBlank();
    }

    /** {@code magic} padded with zeros to {@code size} bytes. */
    static byte[] image(byte[] magic, int size) {
        return Arrays.copyOf(magic, size);
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    static void route(String path, Handler h) {
        hits.put(path, new AtomicInteger());
        server.createContext(path, ex -> {
            hits.get(path).incrementAndGet();
            try {
                h.handle(ex);
            } finally {
                ex.close();
            }
        });
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            } catch (IOException clientGone) {
                // the loader may hang up on purpose
            }
        }
    }

    static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(status, -1);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
