package com.wagateway.media;

import com.wagateway.net.UnsafeUrlException;
import com.wagateway.services.ApiException;
import java.util.Base64;
import java.util.Locale;

/**
 * The bytes of a send request's file, from exactly one of a URL field or a base64 field: the part
 * {@code send-image} and {@code send-media} share ({@link ImageLoader}, {@link MediaLoader}).
 *
 * <p>Guarantees: the result is non-empty and at most {@code maxBytes}; a URL is fetched only
 * through the {@link com.wagateway.net.PublicAddressGuard} ({@link ImageFetcher}); an oversized
 * base64 string is refused before it is decoded; every refusal is a 400 naming the request field
 * at fault, with codes built from the noun ({@code image_too_large}, {@code media_fetch_failed}).
 * Nothing here logs the bytes, the URL or the payload.
 */
final class MediaSource {

    /**
     * The request's field names and the words of its refusals.
     *
     * @param urlField        e.g. {@code image_url}
     * @param base64Field     e.g. {@code image_base64}
     * @param noun            {@code image} or {@code media}: the prefix of error codes and the word in messages
     * @param dataUrlPrefix   the MIME prefix a data URL must declare ({@code image/}), or "" for any
     * @param accept          the HTTP Accept header of a fetch
     */
    record Fields(String urlField, String base64Field, String noun, String dataUrlPrefix, String accept) {
    }

    static final Fields IMAGE = new Fields("image_url", "image_base64", "image", "image/", "image/jpeg, image/png, image/webp");
    static final Fields MEDIA = new Fields("media_url", "media_base64", "media", "", "*/*");

    /** A data URL's header ({@code data:image/png;base64}) is never longer than this. */
    private static final int MAX_DATA_URL_HEADER = 100;

    private MediaSource() {
    }

    /** True when the string is present (blank counts as absent). */
    static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    /** Refuses a request with both sources or none. */
    static void requireOneSource(Fields f, String url, String base64) {
        boolean hasUrl = present(url);
        if (hasUrl == present(base64)) {
            throw new ApiException.InvalidInput("invalid_" + f.noun() + "_source", f.urlField(), hasUrl
                    ? "give either " + f.urlField() + " or " + f.base64Field() + ", not both"
                    : f.urlField() + " or " + f.base64Field() + " is required");
        }
    }

    /**
     * Fetches or decodes the one source given ({@link #requireOneSource} first), then checks it
     * is non-empty and within {@code maxBytes}.
     */
    static byte[] load(Fields f, ImageFetcher fetcher, String url, String base64, long maxBytes) {
        requireOneSource(f, url, base64);
        String field = present(url) ? f.urlField() : f.base64Field();
        byte[] bytes = present(url) ? fetch(f, fetcher, url) : decode(f, base64, maxBytes);
        if (bytes.length == 0) {
            throw new ApiException.InvalidInput("empty_" + f.noun(), field, "the " + f.noun() + " is empty");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(f, field, maxBytes);
        }
        return bytes;
    }

    /** Fetches through the guard; guard refusals keep their own code (invalid_url, private_network, ...). */
    private static byte[] fetch(Fields f, ImageFetcher fetcher, String url) {
        try {
            return fetcher.fetch(url);
        } catch (UnsafeUrlException e) {
            throw new ApiException.InvalidInput(e.code(), f.urlField(), e.getMessage());
        }
    }

    /**
     * Strict base64: the standard alphabet, padded to a multiple of 4, no line breaks or inner
     * whitespace (surrounding whitespace is ignored), optionally inside a
     * {@code data:<type>;base64,} URL whose declared type is ignored (the bytes decide). The
     * encoded length is checked before decoding, so an oversized string costs no decoding.
     */
    private static byte[] decode(Fields f, String value, long maxBytes) {
        String payload = value.strip();
        String example = "data:" + (f.dataUrlPrefix().isEmpty() ? "application/pdf" : f.dataUrlPrefix() + "png") + ";base64,<data>";
        if (payload.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = payload.indexOf(',');
            if (comma < 0 || comma > MAX_DATA_URL_HEADER) {
                throw badBase64(f, "a data URL must look like " + example);
            }
            String header = payload.substring(5, comma).toLowerCase(Locale.ROOT);
            if (!header.startsWith(f.dataUrlPrefix()) || !header.endsWith(";base64")) {
                throw badBase64(f, "a data URL must look like " + example);
            }
            payload = payload.substring(comma + 1);
        }
        long maxEncoded = 4L * ((maxBytes + 2L) / 3);
        if (payload.length() > maxEncoded) {
            throw tooLarge(f, f.base64Field(), maxBytes);
        }
        if (payload.length() % 4 != 0) {
            throw badBase64(f, f.base64Field() + " is not valid base64 (its length must be a multiple of 4, with = padding)");
        }
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw badBase64(f, f.base64Field() + " is not valid base64 (standard alphabet A-Z a-z 0-9 + /, no line breaks)");
        }
    }

    private static ApiException.InvalidInput badBase64(Fields f, String message) {
        return new ApiException.InvalidInput("invalid_base64", f.base64Field(), message);
    }

    static ApiException.InvalidInput tooLarge(Fields f, String field, long maxBytes) {
        return new ApiException.InvalidInput(f.noun() + "_too_large", field,
                "the " + f.noun() + " is larger than " + sizeText(maxBytes));
    }

    static String sizeText(long bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " bytes";
    }
}
