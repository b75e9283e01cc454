package com.wagateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhooks' blocking client against real loopback servers: it connects to the checked
 * address with the URL's Host (and for https the URL's name as SNI and as the certificate's name),
 * keeps sockets alive, replaces one the server closed while idle without sending twice, reads
 * every framing, and ends a silent, slow or non-reading server's exchange at the deadline.
 */
class PostClientTest {

    private static final List<String> HEADERS = List.of("Content-Type", "application/json", "X-Webhook-Id", "e1");

    @TempDir
    Path dir;

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private final PostClient client = new PostClient(Duration.ofSeconds(5), watchdog);

    @AfterEach
    void close() {
        client.close();
        watchdog.shutdownNow();
    }

    @Test
    void goesToTheCheckedAddressWithTheUrlsHostAndKeepsTheSocketAlive() throws Exception {
        // the server listens on 127.0.0.2 only: "localhost" resolves to 127.0.0.1 (or ::1), so the
        // request can only arrive if it went to the checked address, not to a new lookup of the name
        try (RawHttpServer server = new RawHttpServer(InetAddress.getByName("127.0.0.2"),
                (r, out) -> {
                    out.write(RawHttpServer.answer(200, "Retry-After: 7\r\n", "ok " + r.body()));
                    return true;
                })) {
            PublicAddressGuard.Target target = new PublicAddressGuard.Target(
                    URI.create("http://user:pw@localhost:" + server.port() + "/hook/a%20b?x=1&y=%2F#frag"),
                    InetAddress.getByName("127.0.0.2"));

            HttpAnswer first = post(target, "{\"n\":1}");
            HttpAnswer second = post(target, "{\"n\":2}");

            assertThat(first).isEqualTo(new HttpAnswer(200, "ok {\"n\":1}", "7", true));
            assertThat(second.body()).isEqualTo("ok {\"n\":2}");
            assertThat(server.requests).hasSize(2);
            RawHttpServer.Request r = server.requests.get(0);
            assertThat(r.head().get(0)).isEqualTo("POST /hook/a%20b?x=1&y=%2F HTTP/1.1");
            assertThat(r.header("Host")).isEqualTo("localhost:" + server.port());
            assertThat(r.header("X-Webhook-Id")).isEqualTo("e1");
            assertThat(r.header("Content-Length")).isEqualTo("7");
            assertThat(r.head()).noneMatch(l -> l.contains("pw") || l.contains("frag"));
            assertThat(server.connections()).as("the second request reused the socket").isEqualTo(1);
        }
    }

    @Test
    void aSocketTheServerClosedWhileIdleIsReplacedAndTheRequestSentOnce() throws Exception {
        // the server answers without "Connection: close" and then closes: the client pools a dead socket
        try (RawHttpServer server = new RawHttpServer((r, out) -> {
            out.write(RawHttpServer.answer(200, "", "ok"));
            return false;
        })) {
            PublicAddressGuard.Target target = loopback("http", server.port(), "/in");
            assertThat(post(target, "one").status()).isEqualTo(200);
            assertThat(post(target, "two").status()).isEqualTo(200);
            assertThat(server.requests).extracting(RawHttpServer.Request::body).containsExactly("one", "two");
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void aFreshSocketClosedWithoutAnAnswerIsAnErrorNotARetry() throws Exception {
        try (RawHttpServer server = new RawHttpServer((r, out) -> false)) {
            PublicAddressGuard.Target target = loopback("http", server.port(), "/in");
            assertThatThrownBy(() -> post(target, "x")).isInstanceOf(EOFException.class);
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void readsChunkedCloseDelimitedAndLongBodies() throws Exception {
        String big = "b".repeat(100_000);
        try (RawHttpServer server = new RawHttpServer((r, out) -> {
            switch (r.body()) {
                case "chunked" -> out.write(("HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                case "drained" -> out.write(RawHttpServer.answer(200, "", "d".repeat(10_000)));
                case "big" -> out.write(RawHttpServer.answer(200, "", big));
                case "empty" -> out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                default -> {
                    out.write("HTTP/1.0 500 Oops\r\n\r\nto the end".getBytes(StandardCharsets.UTF_8));
                    return false;
                }
            }
            return true;
        })) {
            PublicAddressGuard.Target target = loopback("http", server.port(), "/");

            assertThat(post(target, "chunked")).isEqualTo(new HttpAnswer(202, "abcde", null, true));
            assertThat(post(target, "empty")).isEqualTo(new HttpAnswer(204, "", null, true));
            HttpAnswer drained = post(target, "drained");
            assertThat(drained.body()).hasSize(2048);
            assertThat(drained.reusable()).isTrue();
            assertThat(server.connections()).isEqualTo(1);

            HttpAnswer cut = post(target, "big");
            assertThat(cut.body()).isEqualTo(big.substring(0, 2048));
            assertThat(cut.reusable()).as("a body past the drain budget closes the socket").isFalse();
            assertThat(post(target, "close").body()).isEqualTo("to the end");
            assertThat(server.connections()).isEqualTo(2);
            assertThat(post(target, "chunked").status()).isEqualTo(202);
            assertThat(server.connections()).as("an HTTP/1.0 answer closes the socket").isEqualTo(3);
        }
    }

    @Test
    void aSilentOrTricklingServerEndsAtTheDeadline() throws Exception {
        try (RawHttpServer server = new RawHttpServer((r, out) -> {
            if (r.body().equals("trickle")) {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 100; i++) {
                    out.write('x');
                    out.flush();
                    sleep(50);
                }
            } else {
                sleep(10_000);
            }
            return false;
        })) {
            PublicAddressGuard.Target target = loopback("http", server.port(), "/");
            for (String body : List.of("silent", "trickle")) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.post(target, HEADERS, body.getBytes(StandardCharsets.UTF_8),
                        Duration.ofMillis(800), 2048)).isInstanceOf(HttpTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            }
        }
    }

    @Test
    void aServerThatNeverReadsALargeBodyEndsAtTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(server.accept()); // and never read from it
                } catch (IOException ignored) {
                    // closed by the test
                }
            });
            acceptor.start();
            byte[] body = new byte[64 * 1024 * 1024];
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.post(loopback("http", server.getLocalPort(), "/"), HEADERS, body,
                    Duration.ofMillis(800), 2048)).isInstanceOf(HttpTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void httpsSendsTheNameAsSniAndVerifiesTheCertificateAgainstIt() throws Exception {
        Supplier<SSLContext> tls = PinnedHttpTest.selfSigned(dir, "pinned.test");
        List<String> hosts = new CopyOnWriteArrayList<>();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
        server.createContext("/", ex -> {
            hosts.add(ex.getRequestHeaders().getFirst("Host"));
            ex.getRequestBody().readAllBytes();
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        server.start();
        PostClient https = new PostClient(Duration.ofSeconds(5), tls, watchdog);
        try {
            int port = server.getAddress().getPort();
            PublicAddressGuard.Target wrong = loopback("https", port, "/secure", "other.test");
            PublicAddressGuard.Target good = loopback("https", port, "/secure", "pinned.test");

            assertThatThrownBy(() -> https.post(wrong, HEADERS, new byte[0], Duration.ofSeconds(5), 2048))
                    .isInstanceOf(SSLHandshakeException.class);
            HttpAnswer a = https.post(good, HEADERS, "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), 2048);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo("ok");
            assertThat(hosts).containsExactly("pinned.test:" + port);
            // an absolute name (trailing dot) is the same name for SNI and the certificate
            PublicAddressGuard.Target absolute = loopback("https", port, "/secure", "pinned.test.");
            assertThat(https.post(absolute, HEADERS, new byte[0], Duration.ofSeconds(5), 2048).status()).isEqualTo(200);
            assertThat(hosts).containsExactly("pinned.test:" + port, "pinned.test.:" + port);
            // refused also after a session with the right name exists for the same IP and port
            assertThatThrownBy(() -> https.post(wrong, HEADERS, new byte[0], Duration.ofSeconds(5), 2048))
                    .isInstanceOf(SSLHandshakeException.class);
            assertThat(hosts).hasSize(2);
        } finally {
            https.close();
            server.stop(0);
        }
    }

    @Test
    void headersThatCouldSplitTheRequestAreRefused() {
        URI u = URI.create("http://example.com/x");
        assertThatThrownBy(() -> PostClient.request(u, List.of("X-A", "v\r\nX-Evil: 1"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostClient.request(u, List.of("X A", "v"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new String(PostClient.request(URI.create("http://Example.COM:8080"), List.of("X-A", "a b"),
                "hi".getBytes(StandardCharsets.UTF_8)), StandardCharsets.US_ASCII))
                .isEqualTo("POST / HTTP/1.1\r\nHost: Example.COM:8080\r\nX-A: a b\r\nContent-Length: 2\r\n\r\nhi");
    }

    private HttpAnswer post(PublicAddressGuard.Target target, String body) throws IOException {
        return client.post(target, HEADERS, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), 2048);
    }

    private static PublicAddressGuard.Target loopback(String scheme, int port, String path) {
        return loopback(scheme, port, path, "localhost");
    }

    private static PublicAddressGuard.Target loopback(String scheme, int port, String path, String host) {
        return new PublicAddressGuard.Target(URI.create(scheme + "://" + host + ":" + port + path),
                InetAddress.getLoopbackAddress());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
