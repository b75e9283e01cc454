package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    @Test
    void signsTimestampDotBodyWithHmacSha256Hex() {
        // the signed string is "<timestamp>.<raw body>"
        String sig = WebhookSignature.sign("whsec_test", 1700000000L, "{\"a\":1}");
        assertThat(sig).isEqualTo("sha256=" + Hmac.hex("whsec_test", "1700000000.{\"a\":1}"));
        assertThat(sig).matches("sha256=[0-9a-f]{64}");
    }

    @Test
    void anyChangeChangesTheSignature() {
        String base = WebhookSignature.sign("s", 1L, "body");
        assertThat(WebhookSignature.sign("s2", 1L, "body")).isNotEqualTo(base);
        assertThat(WebhookSignature.sign("s", 2L, "body")).isNotEqualTo(base);
        assertThat(WebhookSignature.sign("s", 1L, "body ")).isNotEqualTo(base);
    }

    @Test
    void matchesAKnownVector() {
        // computed independently: python3 -c "import hmac,hashlib;print(hmac.new(b'secret',b'1.hello',hashlib.sha256).hexdigest())"
        assertThat(WebhookSignature.sign("secret", 1L, "hello"))
                .isEqualTo("sha256=408428ff793aadef5e352345498782b65e3b6984774ce3d3e69ccdecae458305");
    }

    /** Independent HMAC for the comparison (javax.crypto directly). */
    static final class Hmac {
        static String hex(String key, String data) {
            try {
                javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
                return java.util.HexFormat.of().formatHex(mac.doFinal(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
