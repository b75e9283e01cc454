package com.wagateway.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Sends a request to the address {@link PublicAddressGuard#resolve} checked, never to a second
 * DNS answer. The JDK {@link HttpClient} cannot be handed an address, so the request URL names
 * the checked IP and the request carries what the original URL would have sent:
 * <ul>
 * <li>{@code http}: the URL's {@code Host} header (a restricted header in the JDK client; the JVM
 *     property {@link #ALLOW_HOST_PROPERTY} must name {@code host} before the client classes load:
 *     GatewayApplication.main and the test JVMs set it, and the constructor fails fast without it);</li>
 * <li>{@code https}: also TLS SNI with the original name, from a client built for that name. The
 *     JDK's default trust manager verifies the server certificate against the SNI name first, so
 *     the certificate must be valid for the name in the URL, exactly as without pinning (the IP
 *     is never accepted instead of the name).</li>
 * </ul>
 * A URL whose host is already an IP literal needs no pinning and is sent as is. So is an https
 * host name that TLS cannot carry as SNI (e.g. one ending in a dot): such a request is sent by
 * name, and a rebinding then meets certificate verification for that name.
 *
 * <p>Every client uses HTTP/1.1 (HTTP/2 would take the authority from the URL, not the Host
 * header) and the settings of the given builder (timeouts, redirects, executor).
 */
public final class PinnedHttp {

    /** The JDK property that lets a request set {@code Host}. */
    public static final String ALLOW_HOST_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

    private static final int MAX_TLS_CLIENTS = 64;

    private final Supplier<HttpClient.Builder> builder;
    private final Supplier<SSLContext> tls;
    private final HttpClient plain;
    /** One client per https host name (SNI is a client setting); least recently used dropped. */
    private final Map<String, HttpClient> tlsClients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HttpClient> eldest) {
            return size() > MAX_TLS_CLIENTS;
        }
    };

    /** Production: TLS contexts with the JVM's default trust store. */
    public PinnedHttp(Supplier<HttpClient.Builder> builder) {
        this(builder, PinnedHttp::defaultTls);
    }

    /**
     * {@code builder} makes a fresh, configured client builder each time it is called (a client
     * is built per https host); {@code tls} makes a fresh TLS context, which decides which
     * certificates are trusted. Each https name gets its own context, so its own TLS session
     * cache: the JDK caches client sessions by IP and port, and a session resumed under another
     * name would skip the certificate check for that name.
     *
     * @throws IllegalStateException when the JVM does not allow the Host header
     */
    public PinnedHttp(Supplier<HttpClient.Builder> builder, Supplier<SSLContext> tls) {
        requireHostHeaderAllowed();
        this.builder = builder;
        this.tls = tls;
        this.plain = builder.get().version(HttpClient.Version.HTTP_1_1).sslContext(tls.get()).build();
    }

    /**
     * Adds {@code host} to {@link #ALLOW_HOST_PROPERTY} (keeping what is already allowed); must
     * run before any HttpClient is used, because the JDK reads the property once.
     */
    public static void allowHostHeader() {
        String allowed = System.getProperty(ALLOW_HOST_PROPERTY);
        if (allowed == null || allowed.isBlank()) {
            System.setProperty(ALLOW_HOST_PROPERTY, "host");
        } else if (java.util.Arrays.stream(allowed.split(",")).noneMatch(h -> h.trim().equalsIgnoreCase("host"))) {
            System.setProperty(ALLOW_HOST_PROPERTY, allowed + ",host");
        }
    }

    /** The client that sends {@code target}'s request (SNI set for a pinned https name). */
    public HttpClient client(PublicAddressGuard.Target target) {
        String sni = sniName(target);
        if (sni == null) {
            return plain;
        }
        synchronized (tlsClients) {
            return tlsClients.computeIfAbsent(sni, name -> {
                SSLContext context = tls.get();
                SSLParameters params = context.getDefaultSSLParameters();
                params.setServerNames(List.of(new SNIHostName(name)));
                return builder.get().version(HttpClient.Version.HTTP_1_1).sslContext(context).sslParameters(params).build();
            });
        }
    }

    /**
     * A request builder for {@code target}: the URL with the checked address in place of the
     * name (same scheme, port, path and query; user info dropped) and the original Host header.
     */
    public static HttpRequest.Builder request(PublicAddressGuard.Target target) {
        if (!pinnable(target)) {
            return HttpRequest.newBuilder(target.uri());
        }
        URI u = target.uri();
        return HttpRequest.newBuilder(pinnedUri(u, target.address())).header("Host", hostHeader(u));
    }

    /** True when the request goes to the checked IP instead of the name. */
    static boolean pinnable(PublicAddressGuard.Target target) {
        String host = target.uri().getHost();
        if (host.startsWith("[") || isIpv4Literal(host)) {
            return false; // already an address: nothing to resolve again
        }
        if (target.address() instanceof Inet6Address a && a.getScopeId() != 0) {
            return false; // a scoped address cannot be written into a URL portably
        }
        return !"https".equalsIgnoreCase(target.uri().getScheme()) || sniName(target) != null;
    }

    /** The SNI name for a pinned https request, or null (plain client). */
    private static String sniName(PublicAddressGuard.Target target) {
        String host = target.uri().getHost();
        if (!"https".equalsIgnoreCase(target.uri().getScheme()) || host.startsWith("[") || isIpv4Literal(host)) {
            return null;
        }
        try {
            return new SNIHostName(host.toLowerCase(Locale.ROOT)).getAsciiName();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static URI pinnedUri(URI u, InetAddress address) {
        String ip = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        String s = u.getScheme().toLowerCase(Locale.ROOT) + "://" + ip + (u.getPort() >= 0 ? ":" + u.getPort() : "")
                + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            throw new UnsafeUrlException("invalid_url", "URL cannot be requested: " + e.getReason());
        }
    }

    /** What an HTTP client sends as Host for {@code u}: the host, and the port when the URL names one. */
    static String hostHeader(URI u) {
        return u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    }

    static boolean isIpv4Literal(String host) {
        return host.matches("[0-9.]+");
    }

    private static void requireHostHeaderAllowed() {
        try {
            HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "example.com");
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the JVM must be started with -D" + ALLOW_HOST_PROPERTY
                    + "=host (GatewayApplication.main sets it): requests are pinned to the checked address", e);
        }
    }

    /** A new TLS context with the JVM's default key and trust managers. */
    static SSLContext defaultTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            return context;
        } catch (NoSuchAlgorithmException | java.security.KeyManagementException e) {
            throw new IllegalStateException("no TLS context", e);
        }
    }
}
