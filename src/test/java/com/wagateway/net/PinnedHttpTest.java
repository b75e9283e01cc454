package com.wagateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests go to the address the guard checked, with the URL's Host header (and, for https, the
 * URL's name as SNI and as the name the certificate is verified against), never to a second DNS
 * answer. Real loopback servers; the names used either resolve elsewhere or not at all.
 */
class PinnedHttpTest {

    @TempDir
    Path dir;

    /** What a test server saw: the Host header and the request target. */
    record Seen(String host, String target) {
    }

    @Test
    void httpGoesToTheCheckedAddressWithTheUrlsHostHeader() throws Exception {
        // the server listens on 127.0.0.2 only: "localhost" resolves to 127.0.0.1 (or ::1), so the
        // request can only arrive if it went to the checked address, not to a new lookup of the name
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = recordingServer(InetAddress.getByName("127.0.0.2"), seen);
        try {
            int port = server.getAddress().getPort();
            PinnedHttp http = new PinnedHttp(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)));
            PublicAddressGuard.Target target = new PublicAddressGuard.Target(
                    URI.create("http://localhost:" + port + "/hook/a%20b?x=1&y=%2F"), InetAddress.getByName("127.0.0.2"));

            HttpResponse<Void> r = http.client(target).send(PinnedHttp.request(target).GET().build(),
                    HttpResponse.BodyHandlers.discarding());

            assertThat(r.statusCode()).isEqualTo(204);
            assertThat(seen).containsExactly(new Seen("localhost:" + port, "/hook/a%20b?x=1&y=%2F"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theGuardResolvesANameOnceAndTheRequestUsesThatAnswer() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = recordingServer(InetAddress.getLoopbackAddress(), seen);
        try {
            int port = server.getAddress().getPort();
            PublicAddressGuard.Target target = new PublicAddressGuard(true).resolve("http://localhost:" + port + "/in");
            assertThat(target.address().isLoopbackAddress()).isTrue();
            assertThat(PinnedHttp.pinnable(target)).isTrue();
            PinnedHttp http = new PinnedHttp(HttpClient::newBuilder);
            assertThat(http.client(target).send(PinnedHttp.request(target).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
            assertThat(seen).containsExactly(new Seen("localhost:" + port, "/in"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpsSendsTheNameAsSniAndVerifiesTheCertificateAgainstIt() throws Exception {
        // the certificate names only "pinned.test", a name no DNS answers: the handshake can only
        // succeed if the client connected to the checked IP and verified the certificate by the name
        java.util.function.Supplier<SSLContext> tls = selfSigned(dir, "pinned.test");
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
        server.createContext("/", ex -> {
            seen.add(new Seen(ex.getRequestHeaders().getFirst("Host"), ex.getRequestURI().toString()));
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            PinnedHttp http = new PinnedHttp(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)), tls);
            PublicAddressGuard.Target wrong = new PublicAddressGuard.Target(
                    URI.create("https://other.test:" + port + "/secure"), InetAddress.getLoopbackAddress());
            assertThatThrownBy(() -> http.client(wrong).send(PinnedHttp.request(wrong).GET().build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
            assertThat(seen).isEmpty();

            PublicAddressGuard.Target good = new PublicAddressGuard.Target(
                    URI.create("https://pinned.test:" + port + "/secure"), InetAddress.getLoopbackAddress());
            HttpResponse<String> r = http.client(good).send(PinnedHttp.request(good).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
            assertThat(seen).containsExactly(new Seen("pinned.test:" + port, "/secure"));

            // a name the certificate does not cover is refused, also after a session with the right
            // name exists for the same IP and port (no resumption across names)
            assertThatThrownBy(() -> http.client(wrong).send(PinnedHttp.request(wrong).GET().build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
            assertThat(seen).hasSize(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void ipLiteralsAreSentAsGiven() throws Exception {
        PublicAddressGuard.Target v4 = new PublicAddressGuard.Target(URI.create("http://8.8.8.8/x"), InetAddress.getByName("8.8.8.8"));
        PublicAddressGuard.Target v6 = new PublicAddressGuard.Target(URI.create("https://[2001:4860::8888]/x"),
                InetAddress.getByName("2001:4860::8888"));
        assertThat(PinnedHttp.pinnable(v4)).isFalse();
        assertThat(PinnedHttp.pinnable(v6)).isFalse();
        assertThat(PinnedHttp.request(v4).GET().build().uri()).isEqualTo(v4.uri());
        assertThat(PinnedHttp.pinnedUri(URI.create("http://h.example:81"), InetAddress.getByName("2001:db8::1")))
                .isEqualTo(URI.create("http://[2001:db8:0:0:0:0:0:1]:81/"));
        assertThat(PinnedHttp.hostHeader(URI.create("https://Example.COM/path"))).isEqualTo("Example.COM");
    }

    /**
     * New TLS contexts whose key is one fresh self-signed certificate for {@code name}, trusting
     * only it (the key store is written into {@code dir}).
     */
    static java.util.function.Supplier<SSLContext> selfSigned(Path dir, String name) throws Exception {
        Path store = dir.resolve("tls.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "SAN=dns:" + name, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        assertThat(Files.exists(store)).isTrue();
        return () -> {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                return ctx;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A started HTTP server on {@code address} that records each request's Host and URI and answers 204. */
    static HttpServer recordingServer(InetAddress address, List<Seen> seen) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", ex -> {
            seen.add(new Seen(ex.getRequestHeaders().getFirst("Host"), ex.getRequestURI().toString()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        return server;
    }
}
