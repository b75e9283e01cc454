package com.wagateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublicAddressGuardTest {

    private final PublicAddressGuard guard = new PublicAddressGuard(false);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "198.18.0.1"})
    void nonPublicAddressesAreRecognised(String ip) throws Exception {
        assertThat(PublicAddressGuard.isNonPublic(InetAddress.getByName(ip))).as(ip).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"})
    void publicAddressesPass(String ip) throws Exception {
        assertThat(PublicAddressGuard.isNonPublic(InetAddress.getByName(ip))).as(ip).isFalse();
    }

    /**
     * IPv6 forms that lead to an IPv4 address are judged by that address: IPv4-compatible
     * (::/96, refused whole), IPv4-mapped, NAT64 (64:ff9b::/96; the local-use 64:ff9b:1::/48 is
     * refused whole), 6to4 (2002:AABB:CCDD::/48) and Teredo (client = last 32 bits XOR ffffffff).
     */
    @ParameterizedTest
    @ValueSource(strings = {"::127.0.0.1", "::10.0.0.1", "::8.8.8.8", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
            "64:ff9b::127.0.0.1", "64:ff9b::10.1.2.3", "64:ff9b:1::808:808", "64:ff9b:1:ffff::1",
            "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101:1::5",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:4136:e378:8000:63bf:f5ff:fffe",
            "2001:db8::1", "100::1"})
    void ipv6FormsEmbeddingANonPublicIpv4AreRefused(String ip) throws Exception {
        assertThat(PublicAddressGuard.isNonPublic(InetAddress.getByName(ip))).as(ip).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::8.8.8.8", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
            "2001:4860:4860::8888", "2a00:1450:4001::200e"})
    void ipv6FormsEmbeddingAPublicIpv4Pass(String ip) throws Exception {
        assertThat(PublicAddressGuard.isNonPublic(InetAddress.getByName(ip))).as(ip).isFalse();
    }

    @Test
    void teredoClientAddressIsTheLast32BitsInverted() throws Exception {
        byte[] v4 = PublicAddressGuard.embeddedIpv4(InetAddress.getByName("2001:0:4136:e378:8000:63bf:3fff:fdd2").getAddress());
        assertThat(InetAddress.getByAddress(v4).getHostAddress()).isEqualTo("192.0.2.45");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://[::127.0.0.1]:8080/hook", "http://[::ffff:7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:7f00:1::]/", "http://[2001:0:0:0:0:0:80ff:fffe]/"})
    void urlsWithEmbeddedPrivateIpv4AreRefused(String url) {
        assertThatThrownBy(() -> guard.check(url)).isInstanceOf(UnsafeUrlException.class)
                .extracting(e -> ((UnsafeUrlException) e).code()).isEqualTo("private_network");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/x", "https://[::1]/x",
            "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/", "http://2130706433/"})
    void privateTargetsAreRefused(String url) {
        assertThatThrownBy(() -> guard.check(url)).isInstanceOf(UnsafeUrlException.class)
                .extracting(e -> ((UnsafeUrlException) e).code()).isEqualTo("private_network");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/", "file:///etc/passwd", "example.com/hook", "http:///nohost",
            "javascript:alert(1)", "http://exa mple.com/", "https://example.com/#frag", " "})
    void malformedUrlsAreRefused(String url) {
        assertThatThrownBy(() -> guard.check(url)).isInstanceOf(UnsafeUrlException.class)
                .extracting(e -> ((UnsafeUrlException) e).code()).isEqualTo("invalid_url");
    }

    @Test
    void publicLiteralPassesAndFlagAllowsPrivate() {
        assertThat(guard.check("https://8.8.8.8/hook").getHost()).isEqualTo("8.8.8.8");
        assertThat(new PublicAddressGuard(true).check("http://127.0.0.1:9/x").getPort()).isEqualTo(9);
    }

    @Test
    void unresolvableHostIsRefused() {
        assertThatThrownBy(() -> guard.check("https://no-such-host.invalid/hook"))
                .extracting(e -> ((UnsafeUrlException) e).code()).isEqualTo("unresolvable_host");
    }
}
