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
 * <p>Guarantees: {@link #check} resolves the host at the moment it is called (a name that later
 * resolves inward is caught at delivery time, not only when the URL was saved); {@link #resolve},
 * used right before each request, returns the checked address that request is then sent to
 * (see {@link PinnedHttp}), so the address checked is the address connected to.
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
     * Parses and checks {@code url}; returns the URI when the gateway may call it. Used where a
     * URL is accepted (saved webhooks); requests use {@link #resolve}, which also says where to
     * connect.
     *
     * @throws UnsafeUrlException with code {@code invalid_url}, {@code unresolvable_host} or
     *                            {@code private_network}
     */
    public URI check(String url) {
        URI uri = parse(url);
        if (!allowPrivate) {
            checkAll(uri, lookup(uri.getHost()));
        }
        return uri;
    }

    /**
     * Parses, resolves once and checks {@code url} for one request, and returns the address to
     * connect to: every address the name resolved to was checked, and the request must go to
     * {@link Target#address()} and nowhere else ({@link PinnedHttp}), so a second DNS answer
     * (rebinding) cannot send it elsewhere. The name is resolved even when private networks are
     * allowed, so the request goes to the address this lookup gave in every configuration.
     *
     * @throws UnsafeUrlException as {@link #check}
     */
    public Target resolve(String url) {
        URI uri = parse(url);
        InetAddress[] all = lookup(uri.getHost());
        if (!allowPrivate) {
            checkAll(uri, all);
        }
        return new Target(uri, all[0]);
    }

    private static void checkAll(URI uri, InetAddress[] addresses) {
        for (InetAddress a : addresses) {
            if (isNonPublic(a)) {
                throw new UnsafeUrlException("private_network", "URL host '" + uri.getHost()
                        + "' resolves to a loopback, private or link-local address ("
                        + a.getHostAddress() + "); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it");
            }
        }
    }

    /** A URL checked for one request and the address it was checked at. */
    public record Target(URI uri, InetAddress address) {
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

    private static InetAddress[] lookup(String host) {
        try {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return InetAddress.getAllByName(h);
        } catch (UnknownHostException e) {
            throw new UnsafeUrlException("unresolvable_host", "URL host '" + host + "' does not resolve");
        }
    }

    /**
     * True for every address that is not a routable public unicast address. IPv6 forms that carry
     * an IPv4 address are judged by the IPv4 address they lead to (see {@link #embeddedIpv4}), so
     * {@code 64:ff9b::7f00:1} is as private as {@code 127.0.0.1}; the IPv4-compatible block
     * {@code ::/96} (deprecated, RFC 4291) and the local-use NAT64 prefix {@code 64:ff9b:1::/48}
     * (RFC 8215, embedding chosen by the site) are refused whole.
     */
    public static boolean isNonPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress()
                || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isNonPublicIpv4(b);
        }
        int b0 = b[0] & 0xff;
        if ((b0 & 0xfe) == 0xfc) {
            return true;                                    // fc00::/7 unique local
        }
        if (zeroPrefix(b, 12) || isLocalUseNat64(b) || isDocumentationOrDiscard(b)) {
            return true;                                    // ::/96 IPv4-compatible, 64:ff9b:1::/48, 2001:db8::/32, 100::/64
        }
        byte[] v4 = embeddedIpv4(b);
        return v4 != null && isNonPublicIpv4(v4);
    }

    /** The IPv4 rules: RFC 1918, loopback, link-local, CGNAT, "this network", reserved, multicast. */
    private static boolean isNonPublicIpv4(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        return b0 == 0                                      // 0.0.0.0/8 "this network"
                || b0 == 10                                 // 10.0.0.0/8 private
                || b0 == 127                                // 127.0.0.0/8 loopback
                || (b0 == 169 && b1 == 254)                 // 169.254.0.0/16 link-local, cloud metadata
                || (b0 == 172 && b1 >= 16 && b1 < 32)       // 172.16.0.0/12 private
                || (b0 == 192 && b1 == 168)                 // 192.168.0.0/16 private
                || (b0 == 100 && b1 >= 64 && b1 < 128)      // 100.64.0.0/10 carrier-grade NAT
                || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 IETF protocol
                || (b0 == 198 && (b1 == 18 || b1 == 19))    // 198.18.0.0/15 benchmarking
                || b0 >= 224;                               // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, broadcast
    }

    /**
     * The IPv4 address an IPv6 address delivers to, or null when it embeds none: IPv4-mapped
     * {@code ::ffff:0:0/96} and NAT64 {@code 64:ff9b::/96} (last 32 bits), 6to4 {@code 2002::/16}
     * (bits 16..48) and Teredo {@code 2001::/32} (the client: last 32 bits XOR 0xffffffff).
     */
    static byte[] embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return null;
        }
        boolean mapped = zeroPrefix(b, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b && isZero(b, 4, 12);
        if (mapped || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
            return new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
        }
        return null;
    }

    /** 64:ff9b:1::/48, the local-use NAT64 prefix (RFC 8215). */
    private static boolean isLocalUseNat64(byte[] b) {
        return (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && b[4] == 0 && b[5] == 1;
    }

    /** 2001:db8::/32 (documentation) and 100::/64 (discard-only): never a real destination. */
    private static boolean isDocumentationOrDiscard(byte[] b) {
        boolean documentation = (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d
                && (b[3] & 0xff) == 0xb8;
        boolean discard = (b[0] & 0xff) == 0x01 && b[1] == 0 && isZero(b, 2, 8);
        return documentation || discard;
    }

    /** True when the first {@code n} bytes are zero. */
    private static boolean zeroPrefix(byte[] b, int n) {
        return isZero(b, 0, n);
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
