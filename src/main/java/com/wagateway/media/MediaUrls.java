package com.wagateway.media;

import com.wagateway.config.GatewayProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Signed media URLs for webhook receivers, which hold no API key:
 * {@code PUBLIC_BASE_URL/api/media/{message_id}?expires={epoch seconds}&signature={hex}}, where the
 * signature is HMAC-SHA256 over {@code "{message_id}.{expires}"} with {@code MEDIA_URL_SECRET} (or a
 * key generated once and kept owner-only in {@code DATA_DIR/media-url.secret}).
 *
 * <p>Guarantees: a URL is good for exactly one message until {@code MEDIA_URL_TTL} after it was made;
 * changing the message id, the expiry or the signature makes it forged; signatures are compared in
 * constant time. The key is never logged and never returned by any API.
 */
@Component
public class MediaUrls {

    /** The path prefix of signed URLs (the only media path that needs no API key). */
    public static final String PATH = "/api/media/";
    static final String SECRET_FILE = "media-url.secret";

    /** What a presented URL is worth. */
    public enum Check { VALID, EXPIRED, FORGED }

    private final byte[] key;
    private final GatewayProperties props;
    private final Environment env;
    private final Clock clock;

    public MediaUrls(GatewayProperties props, Environment env) {
        this.props = props;
        this.env = env;
        this.clock = Clock.systemUTC();
        String configured = props.media().urlSecret();
        this.key = configured != null && !configured.isBlank()
                ? configured.getBytes(StandardCharsets.UTF_8)
                : generatedKey(props.dataPath().resolve(SECRET_FILE));
    }

    /** A signed URL for this message's media, valid for {@code MEDIA_URL_TTL} from now. */
    public String urlFor(UUID messageId) {
        long expires = Instant.now(clock).plus(props.media().urlTtl()).getEpochSecond();
        return baseUrl() + PATH + messageId + "?expires=" + expires + "&signature=" + sign(messageId.toString(), expires);
    }

    /** Checks a presented URL's parts; anything malformed is {@link Check#FORGED}. */
    public Check check(String messageId, String expires, String signature) {
        if (messageId == null || expires == null || signature == null || !expires.matches("\\d{1,12}")) {
            return Check.FORGED;
        }
        long exp = Long.parseLong(expires);
        byte[] expected = sign(messageId, exp).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Check.FORGED;
        }
        return Instant.now(clock).getEpochSecond() > exp ? Check.EXPIRED : Check.VALID;
    }

    /** {@code PUBLIC_BASE_URL} without a trailing slash, or {@code http://localhost:<port>}. */
    private String baseUrl() {
        String base = props.media().publicBaseUrl();
        if (base != null && !base.isBlank()) {
            return base.trim().replaceAll("/+$", "");
        }
        String port = env.getProperty("local.server.port", env.getProperty("server.port", "8081"));
        return "http://localhost:" + port;
    }

    private String sign(String messageId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((messageId + "." + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The generated key: read from {@code file}, or 32 random bytes written there first (owner-only,
     * created exclusively, so two instances on one data folder end up with the same key).
     */
    static byte[] generatedKey(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                String fresh = Base64.getEncoder().encodeToString(random);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, fresh, StandardOpenOption.TRUNCATE_EXISTING);
                } catch (FileAlreadyExistsException e) {
                    // made by another instance meanwhile: use its key
                }
            }
            String stored = Files.readString(file).trim();
            if (stored.isEmpty()) {
                throw new IllegalStateException(file + " is empty; delete it to generate a new media URL key");
            }
            return stored.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the media URL key " + file, e);
        }
    }
}
