package com.wagateway.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking HTTP/1.1 client for POST requests to the address {@link PublicAddressGuard#resolve}
 * checked, on kept-alive pooled sockets. It exists for webhooks: the JDK {@code HttpClient}'s
 * asynchronous machinery cost about 350 µs of CPU per small request on this project's machine,
 * a blocking exchange on a kept-alive socket about 40 µs (docs/benchmarks.md).
 *
 * <p>Guarantees, the same as {@link PinnedHttp}'s:
 * <ul>
 * <li>the socket connects to the checked address, never to a second DNS answer, and the request
 *     carries the URL's {@code Host};</li>
 * <li>https sends the URL's name as SNI and verifies the certificate against that name (endpoint
 *     identification {@code HTTPS}); each name has its own TLS context, so its own session cache,
 *     and its own pooled sockets, so a session or a socket is never reused under another name;</li>
 * <li>redirects are never followed (a 3xx is an answer like any other).</li>
 * </ul>
 * One deadline bounds an exchange (connect, handshake, request, answer): every read waits at most
 * until it, and a request body larger than a socket buffer is written under a watchdog that
 * closes the socket at the deadline. A pooled socket that fails before the server sent any answer
 * byte is taken for one the server closed while idle, and the request goes once more on a new
 * socket (webhooks are at-least-once; a receiver that read the request and closed without
 * answering sees it twice).
 */
public final class PostClient implements AutoCloseable {

    /** Above this, a request body is written under the watchdog (a smaller one fits the socket buffer). */
    static final int WATCHED_WRITE_BYTES = 16 * 1024;
    private static final int MAX_TLS_NAMES = 64;
    private static final int MAX_IDLE_PER_ROUTE = 256;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The socket's destination: requests share a pooled socket only when all four are equal. */
    private record Route(boolean tls, InetAddress address, int port, String name) {
    }

    private final Supplier<SSLContext> tls;
    private final Duration connectTimeout;
    private final ScheduledExecutorService watchdog;
    private final Map<Route, ArrayDeque<PooledConnection>> idle = new ConcurrentHashMap<>();
    private final Set<PooledConnection> busy = ConcurrentHashMap.newKeySet();
    /** One TLS socket factory (one context, one session cache) per verified name; least recently used dropped. */
    private final Map<String, SSLSocketFactory> tlsFactories = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SSLSocketFactory> eldest) {
            return size() > MAX_TLS_NAMES;
        }
    };
    private volatile long lastSweep = System.nanoTime();
    private volatile boolean closed;

    /**
     * {@code tls} makes a fresh TLS context (which decides the trusted certificates) for each
     * https name; {@code watchdog} closes sockets whose large request body is still being
     * written at the deadline.
     */
    public PostClient(Duration connectTimeout, Supplier<SSLContext> tls, ScheduledExecutorService watchdog) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.watchdog = watchdog;
    }

    /** Production: TLS contexts with the JVM's default key and trust managers. */
    public PostClient(Duration connectTimeout, ScheduledExecutorService watchdog) {
        this(connectTimeout, PinnedHttp::defaultTls, watchdog);
    }

    /**
     * POSTs {@code body} to {@code target} with {@code headers} (name, value, name, value...; no
     * {@code Host} or {@code Content-Length}, which this adds) and returns the answer, its body
     * cut to {@code keep} bytes. Throws {@link HttpConnectTimeoutException} or
     * {@link HttpTimeoutException} when {@code timeout} passes, another {@link IOException} when
     * the exchange fails.
     */
    public HttpAnswer post(PublicAddressGuard.Target target, List<String> headers, byte[] body, Duration timeout, int keep)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Route route = route(target);
        byte[] request = request(target.uri(), headers, body);
        sweepNow();
        PooledConnection reused = take(route);
        if (reused != null) {
            try {
                return exchange(reused, route, request, deadline, keep);
            } catch (HttpTimeoutException | ProtocolException e) {
                throw e; // the server is slow or wrong, not gone: sending again would not help
            } catch (IOException e) {
                if (reused.answerBytes() > 0 || closed) {
                    throw e;
                }
                // closed by the server while idle (or reset): nothing was answered, so send it on a new socket
            }
        }
        return exchange(open(route, deadline), route, request, deadline, keep);
    }

    /** Sends the request on {@code c} and reads the answer; {@code c} goes back to the pool or is closed. */
    private HttpAnswer exchange(PooledConnection c, Route route, byte[] request, long deadline, int keep) throws IOException {
        boolean keepIt = false;
        busy.add(c);
        try {
            c.startRequest(deadline);
            write(c, request, deadline);
            HttpAnswer answer = HttpAnswer.read(c.in(), keep);
            keepIt = answer.reusable();
            return answer;
        } finally {
            busy.remove(c);
            if (keepIt && !closed) {
                give(route, c);
            } else {
                c.close();
            }
        }
    }

    private void write(PooledConnection c, byte[] request, long deadline) throws IOException {
        if (request.length <= WATCHED_WRITE_BYTES) {
            c.out().write(request);
            c.out().flush();
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpTimeoutException("request timed out");
        }
        ScheduledFuture<?> alarm = watchdog.schedule(c::close, left, TimeUnit.NANOSECONDS);
        try {
            c.out().write(request);
            c.out().flush();
        } catch (IOException e) {
            if (alarm.isDone()) {
                throw new HttpTimeoutException("request timed out");
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    /** A new socket to the checked address (and the TLS handshake for https), within the deadline. */
    private PooledConnection open(Route route, long deadline) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            long left = Math.min(connectTimeout.toNanos(), deadline - System.nanoTime());
            if (left <= 0) {
                throw new HttpConnectTimeoutException("connect timed out");
            }
            try {
                s.connect(new InetSocketAddress(route.address(), route.port()), (int) Math.max(1, left / 1_000_000));
            } catch (SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("connect timed out");
            }
            if (!route.tls()) {
                return new PooledConnection(s);
            }
            SSLSocket ssl = (SSLSocket) factory(route.name()).createSocket(s, route.name(), route.port(), true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // verify the certificate against the name
            String sni = sniName(route.name());
            if (sni != null) {
                params.setServerNames(List.of(new SNIHostName(sni)));
            }
            ssl.setSSLParameters(params);
            long handshake = (deadline - System.nanoTime()) / 1_000_000;
            if (handshake <= 0) {
                throw new HttpConnectTimeoutException("connect timed out");
            }
            ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshake));
            try {
                ssl.startHandshake();
            } catch (SocketTimeoutException e) {
                ssl.close();
                throw new HttpTimeoutException("request timed out");
            }
            return new PooledConnection(ssl);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Where the socket goes: the checked address, the URL's port (or the scheme's), the name for TLS. */
    private static Route route(PublicAddressGuard.Target target) {
        URI u = target.uri();
        boolean tls = "https".equalsIgnoreCase(u.getScheme());
        int port = u.getPort() >= 0 ? u.getPort() : tls ? 443 : 80;
        String host = u.getHost();
        return new Route(tls, target.address(), port, tls ? tlsName(host) : "");
    }

    /**
     * The name the certificate is verified against: the URL's host in lower case, without the
     * brackets of an IPv6 literal and without the trailing dot of an absolute name.
     */
    private static String tlsName(String host) {
        if (host.startsWith("[")) {
            return host.substring(1, host.length() - 1);
        }
        String name = host.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** The SNI name for a TLS name ({@link #tlsName}), or null for an IP literal or a name SNI cannot carry. */
    private static String sniName(String name) {
        if (name.indexOf(':') >= 0 || PinnedHttp.isIpv4Literal(name)) {
            return null;
        }
        try {
            return new SNIHostName(name).getAsciiName();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The request's bytes: {@code POST}, the URL's path and query (user info and fragment never
     * sent), {@code Host} as the URL gives it, the headers, {@code Content-Length}, the body.
     */
    static byte[] request(URI u, List<String> headers, byte[] body) {
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("headers come in name, value pairs");
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        String target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        String host = PinnedHttp.hostHeader(u);
        if (!visible(target) || !visible(host)) {
            throw new IllegalArgumentException("the URL holds a character a request line cannot carry");
        }
        StringBuilder head = new StringBuilder(256 + headers.size() * 32);
        head.append("POST ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            if (name.isEmpty() || !visible(name) || name.indexOf(':') >= 0 || !visible(value.replace(' ', '!'))) {
                throw new IllegalArgumentException("header " + (visible(name) ? name : "?") + " holds a character HTTP cannot carry");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** True when {@code s} is printable ASCII without spaces (no CR, LF or other control character). */
    private static boolean visible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch <= 0x20 || ch >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private PooledConnection take(Route route) {
        ArrayDeque<PooledConnection> q = idle.get(route);
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        synchronized (q) {
            for (PooledConnection c = q.pollFirst(); c != null; c = q.pollFirst()) {
                if (now - c.idleSince < IDLE_NANOS) {
                    return c;
                }
                c.close();
            }
        }
        return null;
    }

    private void give(Route route, PooledConnection c) {
        c.idleSince = System.nanoTime();
        ArrayDeque<PooledConnection> q = idle.computeIfAbsent(route, r -> new ArrayDeque<>());
        synchronized (q) {
            if (q.size() < MAX_IDLE_PER_ROUTE) {
                q.addFirst(c); // most recently used first: a few sockets stay warm, the rest age out
                return;
            }
        }
        c.close();
    }

    /** At most every 10 s: closes sockets idle too long on any route (routes no longer used included). */
    private void sweepNow() {
        long now = System.nanoTime();
        if (now - lastSweep < SWEEP_NANOS) {
            return;
        }
        lastSweep = now;
        idle.forEach((route, q) -> {
            synchronized (q) {
                q.removeIf(c -> {
                    boolean old = now - c.idleSince >= IDLE_NANOS;
                    if (old) {
                        c.close();
                    }
                    return old;
                });
            }
        });
    }

    private SSLSocketFactory factory(String name) {
        synchronized (tlsFactories) {
            return tlsFactories.computeIfAbsent(name, n -> tls.get().getSocketFactory());
        }
    }

    /** Closes every socket, idle and busy (a busy request then fails at once). */
    @Override
    public void close() {
        closed = true;
        idle.values().forEach(q -> {
            synchronized (q) {
                q.forEach(PooledConnection::close);
                q.clear();
            }
        });
        busy.forEach(PooledConnection::close);
    }
}
