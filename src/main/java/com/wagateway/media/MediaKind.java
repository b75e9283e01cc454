package com.wagateway.media;

import java.util.Locale;
import java.util.Set;

/**
 * The media types {@code POST /api/send-media} sends, each with the formats WhatsApp plays for it
 * and its size limit. The limits follow WhatsApp's published per-type limits (WhatsApp Business
 * Platform, "Supported media types": audio and video 16 MB, documents 100 MB, stickers 100 KB
 * static / 500 KB animated; images 16 MB as in the WhatsApp apps); each is also capped by
 * {@code MEDIA_MAX_BYTES} (docs/decisions.md, "send-media").
 */
public enum MediaKind {
    IMAGE("image", 16L << 20, Set.of("image/jpeg", "image/png", "image/webp", "image/gif"),
            "a JPEG, PNG, WebP or GIF image"),
    VIDEO("video", 16L << 20, Set.of("video/mp4", "video/3gpp"), "an MP4 or 3GP video"),
    AUDIO("audio", 16L << 20, Set.of("audio/mpeg", "audio/mp4", "audio/ogg", "audio/ogg; codecs=opus", "audio/aac",
            "audio/amr", "audio/wav"), "an MP3, M4A, OGG, AAC, AMR or WAV audio file"),
    /** A voice note (push-to-talk): WhatsApp plays only OGG/Opus; no transcoder is bundled. */
    VOICE("voice", 16L << 20, Set.of("audio/ogg; codecs=opus"),
            "an OGG/Opus file (voice notes must be OGG/Opus; this gateway does not convert audio — "
                    + "convert it first, e.g. ffmpeg -i in.mp3 -c:a libopus -b:a 32k out.ogg, or send it as type audio)"),
    DOCUMENT("document", 100L << 20, Set.of(), "any file"),
    /** Stickers: WebP, 100 KB static or 500 KB animated. */
    STICKER("sticker", 500L << 10, Set.of("image/webp"), "a WebP image");

    /** A static sticker's limit (the enum's {@link #limit} is the animated one). */
    public static final long STATIC_STICKER_LIMIT = 100L << 10;

    private final String wire;
    private final long limit;
    private final Set<String> formats;
    private final String expected;

    MediaKind(String wire, long limit, Set<String> formats, String expected) {
        this.wire = wire;
        this.limit = limit;
        this.formats = formats;
        this.expected = expected;
    }

    /** The API's name ({@code image}, {@code voice}, ...). */
    public String wire() {
        return wire;
    }

    /** WhatsApp's size limit for this type, before {@code MEDIA_MAX_BYTES}. */
    public long limit() {
        return limit;
    }

    /** What the content must be, in words (for refusals). */
    String expected() {
        return expected;
    }

    /** True when content sniffed as {@code mime} may be sent as this type (documents: anything). */
    boolean accepts(String mime) {
        return formats.isEmpty() || (mime != null && formats.contains(mime));
    }

    /** The type of an API name, or null. */
    public static MediaKind of(String wire) {
        if (wire == null) {
            return null;
        }
        String w = wire.strip().toLowerCase(Locale.ROOT);
        for (MediaKind k : values()) {
            if (k.wire.equals(w)) {
                return k;
            }
        }
        return null;
    }
}
