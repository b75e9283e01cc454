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
