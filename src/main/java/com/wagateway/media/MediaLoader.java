package com.wagateway.media;

import com.wagateway.config.GatewayProperties;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Produces the file of {@code POST /api/send-media} from exactly one of {@code media_url} or
 * {@code media_base64} and checks it against the requested {@link MediaKind}: the same source
 * rules as {@code send-image} ({@link MediaSource}: guarded fetch, strict base64), generalised to
 * every media type.
 *
 * <p>Guarantees: a returned {@link LoadedMedia} is non-empty, within the type's WhatsApp limit and
 * {@code MEDIA_MAX_BYTES}, of a format WhatsApp plays for that type (sniffed from the bytes, never
 * trusted from a declaration), and agrees with {@code mime_type} when one was given. Documents take
 * any bytes and keep a file name. Every refusal is a 400 naming the field at fault.
 */
@Component
public class MediaLoader {

    static final String MIME_FIELD = "mime_type";
    static final String FILE_NAME_FIELD = "file_name";
    private static final Pattern MIME = Pattern.compile("^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
            + "(\\s*;\\s*[a-z0-9_.-]+=[a-z0-9_.\"-]+)*$");
    private static final int MAX_FILE_NAME = 255;

    private final long maxBytes;
    private final ImageFetcher fetcher;

    /** Production wiring: {@code MEDIA_MAX_BYTES}, the image fetch timeout and the shared guard. */
    @Autowired
    public MediaLoader(GatewayProperties props, PublicAddressGuard guard) {
        this(guard, props.messaging().imageFetchTimeout(), props.media().maxBytes());
    }

    /** For tests: any guard, timeout and overall cap. */
    public MediaLoader(PublicAddressGuard guard, Duration fetchTimeout, long maxBytes) {
        this.maxBytes = Math.min(maxBytes, MediaKind.DOCUMENT.limit());
        this.fetcher = new ImageFetcher(guard, fetchTimeout, (int) Math.min(this.maxBytes, Integer.MAX_VALUE - 8), MediaSource.MEDIA);
    }

    /**
     * A file ready to store and send.
     *
     * @param bytes    the content; callers must not modify it
     * @param mimeType the type WhatsApp is told (sniffed; for documents the claimed one when nothing is sniffed)
     * @param fileName documents: the name the recipient sees; other types: the given name or null
     */
    public record LoadedMedia(MediaKind kind, byte[] bytes, String mimeType, String fileName) {

        /** Size and type only: the content never ends up in a log line. */
        @Override
        public String toString() {
            return "LoadedMedia[" + kind.wire() + ", " + mimeType + ", " + bytes.length + " bytes]";
        }
    }

    /** The limit of {@code kind} under {@code MEDIA_MAX_BYTES}. */
    public long limitOf(MediaKind kind) {
        return Math.min(kind.limit(), maxBytes);
    }

    /** Checks the cheap fields (before anything is fetched or decoded): mime_type's syntax and the file name. */
    public void validateFields(String mimeType, String fileName) {
        if (MediaSource.present(mimeType) && !MIME.matcher(mimeType.strip().toLowerCase(Locale.ROOT)).matches()) {
            throw new ApiException.InvalidInput("invalid_mime_type", MIME_FIELD, "mime_type must look like type/subtype (e.g. application/pdf)");
        }
        if (fileName != null && (fileName.isBlank() || fileName.length() > MAX_FILE_NAME
                || fileName.chars().anyMatch(c -> c < 0x20 || c == 0x7F || c == '/' || c == '\\'))) {
            throw new ApiException.InvalidInput("invalid_file_name", FILE_NAME_FIELD,
                    "file_name must be 1-255 characters without slashes or control characters");
        }
    }

    /**
     * Loads and checks the file, cheapest checks first: fields, source, bytes (decoded or fetched,
     * at most the type's limit), format vs type, format vs {@code mime_type}.
     */
    public LoadedMedia load(MediaKind kind, String url, String base64, String mimeType, String fileName) {
        validateFields(mimeType, fileName);
        MediaSource.requireOneSource(MediaSource.MEDIA, url, base64);
        String field = MediaSource.present(url) ? MediaSource.MEDIA.urlField() : MediaSource.MEDIA.base64Field();
        long limit = limitOf(kind);
        byte[] bytes = MediaSource.load(MediaSource.MEDIA, fetcher, url, base64, limit);
        MediaSniffer.Sniffed sniffed = MediaSniffer.sniff(bytes);
        String actual = sniffed == null ? null : sniffed.mime();
        if (!kind.accepts(actual)) {
            throw new ApiException.InvalidInput("media_type_mismatch", field, "type " + kind.wire() + " needs "
                    + kind.expected() + ", but the content is " + (actual == null ? "of an unknown format" : actual)
                    + (kind == MediaKind.VOICE || kind == MediaKind.DOCUMENT ? "" : " (send other files as type document)"));
        }
        if (kind == MediaKind.STICKER && !sniffed.animated() && bytes.length > Math.min(MediaKind.STATIC_STICKER_LIMIT, limit)) {
            throw MediaSource.tooLarge(MediaSource.MEDIA, field, Math.min(MediaKind.STATIC_STICKER_LIMIT, limit));
        }
        String claimed = MediaSource.present(mimeType) ? mimeType.strip().toLowerCase(Locale.ROOT) : null;
        if (claimed != null && actual != null && !base(claimed).equals(base(actual))) {
            throw new ApiException.InvalidInput("mime_type_mismatch", MIME_FIELD,
                    "mime_type says " + claimed + " but the content is " + actual);
        }
        String mime = actual != null ? actual : claimed != null ? claimed : "application/octet-stream";
        String name = fileName != null ? fileName.strip() : kind == MediaKind.DOCUMENT ? defaultName(url) : null;
        return new LoadedMedia(kind, bytes, mime, name);
    }

    /** {@code type/subtype} without parameters. */
    private static String base(String mime) {
        int semi = mime.indexOf(';');
        return (semi < 0 ? mime : mime.substring(0, semi)).strip();
    }

    /** A document's name when none was given: the URL's last path segment, else "document". */
    static String defaultName(String url) {
        if (!MediaSource.present(url)) {
            return "document";
        }
        try {
            String path = URI.create(url.strip()).getPath();
            String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
            boolean usable = !last.isBlank() && last.length() <= MAX_FILE_NAME
                    && last.chars().noneMatch(c -> c < 0x20 || c == 0x7F || c == '\\');
            return usable ? last : "document";
        } catch (IllegalArgumentException e) {
            return "document";
        }
    }
}
