package com.wagateway.media;

import com.wagateway.config.GatewayProperties;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Produces the image of {@code POST /api/send-image} from exactly one of {@code image_url} or
 * {@code image_base64}, and decides its type from its magic bytes alone.
 *
 * <p>Guarantees: a returned {@link LoadedImage} is non-empty, at most {@code maxBytes} (16 MB in
 * production) and a JPEG, PNG or WebP, matching {@code mime_type} when one was given. Every
 * refusal is a 400 {@link ApiException.InvalidInput} naming the request field at fault; nothing
 * here logs the image, the URL or the payload. The source handling (one of URL or base64, strict
 * base64, guarded fetch, size) is {@link MediaSource}, shared with {@link MediaLoader}.
 */
@Component
public class ImageLoader {

    /** The API's size limit for one image (16 MB). */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

    static final String URL_FIELD = "image_url";
    static final String BASE64_FIELD = "image_base64";
    static final String MIME_FIELD = "mime_type";

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
        this.fetcher = new ImageFetcher(guard, fetchTimeout, maxBytes, MediaSource.IMAGE);
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
        MediaSource.requireOneSource(MediaSource.IMAGE, imageUrl, imageBase64);
        ImageType claimed = null;
        if (mimeType != null && !mimeType.isBlank()) {
            claimed = ImageType.ofMime(mimeType);
            if (claimed == null) {
                throw new ApiException.InvalidInput("invalid_mime_type", MIME_FIELD,
                        "mime_type must be image/jpeg, image/png or image/webp");
            }
        }
        String field = MediaSource.present(imageUrl) ? URL_FIELD : BASE64_FIELD;
        byte[] bytes = MediaSource.load(MediaSource.IMAGE, fetcher, imageUrl, imageBase64, maxBytes);
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
}
