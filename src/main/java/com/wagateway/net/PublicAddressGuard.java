package com.wagateway.net;

import com.wagateway.config.GatewayProperties;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Decides whether the gateway may call a URL given by a user (webhook targets, {@code image_url}).
 * Without {@code WEBHOOK_ALLOW_PRIVATE_NETWORKS=true} a URL is refused when its host resolves to
 * any loopback, private (RFC 1918, IPv6 ULA), carrier-grade NAT, link-local (cloud metadata
 * 169.254.169.254 included), multicast, unspecified or reserved address.
 *
 * <p>Guarantee: {@link #check} resolves the host at the moment it is called, so callers check
 * again right before each request (a name that later resolves inward is caught at delivery time,
 * not only when the URL was saved).
 */
@Component
public class PublicAddressGuard {

    static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;

    @Autowired // two constructors: Spring must be told which one to use
    public PublicAddressGuard(GatewayProperties props) {
        this(props.webhooks().allowPrivateNetworks());
    }

    public PublicAddressGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** True when private-network targets are allowed by configuration. */
    public boolean allowsPrivateNetworks() {
        return allowPrivate;
    }

    /**
     * Parses and checks {@code url}; returns the URI when the gateway may call it.
     *
     * @throws UnsafeUrlException with code {@code invalid_url}, {@code unresolvable_host} or
     *                            {@code private_network}
     */
    public URI check(String url) {
        URI uri = parse(url);
        if (!allowPrivate) {
            for (InetAddress a : resolve(uri.getHost())) {
                if (isNonPublic(a)) {
                    throw new UnsafeUrlException("private_network", "URL host '" + uri.getHost()
                            + "' resolves to a loopback, private or link-local address ("
                            + a.getHostAddress() + "); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it");
                }
            }
        }
        return uri;
    }

    /** Syntax only: absolute http(s) URL with a host, at most 2048 characters, no fragment. */
    public static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new UnsafeUrlException("invalid_url", "URL is empty");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new UnsafeUrlException("invalid_url", "URL is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new UnsafeUrlException("invalid_url", "URL is not valid: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UnsafeUrlException("invalid_url", "URL must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new UnsafeUrlException("invalid_url", "URL has no host");
        }
        if (uri.getRawFragment() != null) {
            throw new UnsafeUrlException("invalid_url", "URL must not have a #fragment");
        }
        return uri;
    }

    private static InetAddress[] resolve(String host) {
        try {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return InetAddress.getAllByName(h);
        } catch (UnknownHostException e) {
            throw new UnsafeUrlException("unresolvable_host", "URL host '" + host + "' does not resolve");
        }
    }

    /** True for every address that is not a routable public unicast address. */
    public static boolean isNonPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress()
                || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 == 0                                  // 0.0.0.0/8 "this network"
                    || (b0 == 100 && b1 >= 64 && b1 < 128)  // 100.64.0.0/10 carrier-grade NAT
                    || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 IETF protocol
                    || (b0 == 198 && (b1 == 18 || b1 == 19)) // 198.18.0.0/15 benchmarking
                    || b0 >= 240;                           // 240.0.0.0/4 reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            if ((b0 & 0xfe) == 0xfc) {
                return true;                                // fc00::/7 unique local
            }
            if (isMappedOrCompatibleV4(b)) {
                try {
                    return isNonPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    /** ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) carry an IPv4 address to check. */
    private static boolean isMappedOrCompatibleV4(byte[] b) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        return mapped || nat64;
    }
}
