package com.wagateway.media;

import com.wagateway.config.GatewayProperties;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.net.UnsafeUrlException;
import com.wagateway.services.ApiException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Produces the image of {@code POST /api/send-image} from exactly one of {@code image_url} or
 * {@code image_base64}, and decides its type from its magic bytes alone.
 *
 * <p>Guarantees: a returned {@link LoadedImage} is non-empty, at most {@code maxBytes} (16 MB in
 * production) and a JPEG, PNG or WebP, matching {@code mime_type} when one was given. Every
 * refusal is a 400 {@link ApiException.InvalidInput} naming the request field at fault; nothing
 * here logs the image, the URL or the payload. Fetching is done by {@link ImageFetcher}, which
 * checks every URL with the {@link PublicAddressGuard} before any request leaves the gateway.
 */
@Component
public class ImageLoader {

    /** The API's size limit for one image (16 MB). */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

    static final String URL_FIELD = "image_url";
    static final String BASE64_FIELD = "image_base64";
    static final String MIME_FIELD = "mime_type";
    /** A data URL's header ({@code data:image/png;base64}) is never longer than this. */
    private static final int MAX_DATA_URL_HEADER = 100;

    private final int maxBytes;
    private final ImageFetcher fetcher;

    /** Production wiring: 16 MB, the configured fetch timeout and the shared guard. */
    @Autowired
    public ImageLoader(GatewayProperties props, PublicAddressGuard guard) {
        this(guard, props.messaging().imageFetchTimeout(), DEFAULT_MAX_BYTES);
    }

    /** For tests: any guard, timeout and size limit (1 byte up to 1 GB). */
    public ImageLoader(PublicAddressGuard guard, Duration fetchTimeout, int maxBytes) {
        if (maxBytes < 1 || maxBytes > (1 << 30)) {
            throw new IllegalArgumentException("maxBytes must be 1 byte to 1 GB");
        }
        this.maxBytes = maxBytes;
        this.fetcher = new ImageFetcher(guard, fetchTimeout, maxBytes);
    }

    /**
     * Loads and checks the image. Inputs are validated in the cheapest order: which source,
     * then {@code mimeType}'s syntax, then the bytes (decoded or fetched), then their type.
     * Blank strings count as absent.
     *
     * @param imageUrl    http(s) URL of the image, or null
     * @param imageBase64 raw base64 or a {@code data:image/...;base64,} URL, or null
     * @param mimeType    optional claimed type; must be image/jpeg, image/png or image/webp and
     *                    agree with the sniffed type
     * @throws ApiException.InvalidInput on every refusal (400)
     */
    public LoadedImage load(String imageUrl, String imageBase64, String mimeType) {
        boolean hasUrl = imageUrl != null && !imageUrl.isBlank();
        boolean hasBase64 = imageBase64 != null && !imageBase64.isBlank();
        if (hasUrl == hasBase64) {
            throw new ApiException.InvalidInput("invalid_image_source", URL_FIELD, hasUrl
                    ? "give either image_url or image_base64, not both"
                    : "image_url or image_base64 is required");
        }
        ImageType claimed = null;
        if (mimeType != null && !mimeType.isBlank()) {
            claimed = ImageType.ofMime(mimeType);
            if (claimed == null) {
                throw new ApiException.InvalidInput("invalid_mime_type", MIME_FIELD,
                        "mime_type must be image/jpeg, image/png or image/webp");
            }
        }
        String field = hasUrl ? URL_FIELD : BASE64_FIELD;
        byte[] bytes = hasUrl ? fetch(imageUrl) : decode(imageBase64);
        if (bytes.length == 0) {
            throw new ApiException.InvalidInput("empty_image", field, "the image is empty");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(field, maxBytes);
        }
        ImageType actual = ImageType.sniff(bytes);
        if (actual == null) {
            throw new ApiException.InvalidInput("unsupported_image_type", field,
                    "the image is not a JPEG, PNG or WebP file (JPEG, PNG or WebP only)");
        }
        if (claimed != null && claimed != actual) {
            throw new ApiException.InvalidInput("mime_type_mismatch", MIME_FIELD,
                    "mime_type says " + claimed.mime + " but the image is " + actual.mime);
        }
        return new LoadedImage(bytes, actual.mime);
    }

    /** Fetches through the guard; guard refusals keep their own code (invalid_url, private_network, ...). */
    private byte[] fetch(String imageUrl) {
        try {
            return fetcher.fetch(imageUrl);
        } catch (UnsafeUrlException e) {
            throw new ApiException.InvalidInput(e.code(), URL_FIELD, e.getMessage());
        }
    }

    /**
     * Strict base64: the standard alphabet, padded to a multiple of 4, no line breaks or inner
     * whitespace (surrounding whitespace is ignored), optionally inside a
     * {@code data:image/<any>;base64,} URL whose declared subtype is ignored (the bytes decide).
     * The encoded length is checked before decoding, so an oversized string costs no decoding.
     */
    private byte[] decode(String value) {
        String payload = value.strip();
        if (payload.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = payload.indexOf(',');
            if (comma < 0 || comma > MAX_DATA_URL_HEADER) {
                throw badBase64("a data URL must look like data:image/png;base64,<data>");
            }
            String header = payload.substring(5, comma).toLowerCase(Locale.ROOT);
            if (!header.startsWith("image/") || !header.endsWith(";base64")) {
                throw badBase64("a data URL must look like data:image/png;base64,<data>");
            }
            payload = payload.substring(comma + 1);
        }
        long maxEncoded = 4L * ((maxBytes + 2L) / 3);
        if (payload.length() > maxEncoded) {
            throw tooLarge(BASE64_FIELD, maxBytes);
        }
        if (payload.length() % 4 != 0) {
            throw badBase64("image_base64 is not valid base64 (its length must be a multiple of 4, with = padding)");
        }
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw badBase64("image_base64 is not valid base64 (standard alphabet A-Z a-z 0-9 + /, no line breaks)");
        }
    }

    private static ApiException.InvalidInput badBase64(String message) {
        return new ApiException.InvalidInput("invalid_base64", BASE64_FIELD, message);
    }

    static ApiException.InvalidInput tooLarge(String field, long maxBytes) {
        return new ApiException.InvalidInput("image_too_large", field,
                "the image is larger than " + sizeText(maxBytes));
    }

    private static String sizeText(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MB" : bytes + " bytes";
    }
}
