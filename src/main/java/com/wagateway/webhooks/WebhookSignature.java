package com.wagateway.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.HexFormat;

/**
 * The webhook signature: {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}
 * with {@code timestamp} the {@code X-Webhook-Timestamp} header (epoch seconds). Signing the
 * timestamp with the body lets receivers refuse replays of old deliveries.
 */
public final class WebhookSignature {

    private WebhookSignature() {
    }

    /** The header value for this secret, timestamp and raw body (UTF-8). */
    public static String sign(String secret, long epochSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
            byte[] digest = mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
