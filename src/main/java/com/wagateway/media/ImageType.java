package com.wagateway.media;

import java.util.Locale;

/** The image types WhatsApp accepts as an image message, recognised by their magic bytes. */
enum ImageType {
    JPEG("image/jpeg"),
    PNG("image/png"),
    WEBP("image/webp");

    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
    private static final byte[] WEBP_TAG = {'W', 'E', 'B', 'P'};

    final String mime;

    ImageType(String mime) {
        this.mime = mime;
    }

    /**
     * The type the content really has, judged by its first bytes only (JPEG {@code FF D8 FF},
     * PNG's 8-byte signature, WebP {@code RIFF????WEBP}); null for anything else. Declared
     * types (Content-Type, data URL, mime_type) are never trusted for this.
     */
    static ImageType sniff(byte[] b) {
        if (startsWith(b, 0, JPEG_MAGIC)) {
            return JPEG;
        }
        if (startsWith(b, 0, PNG_MAGIC)) {
            return PNG;
        }
        if (startsWith(b, 0, RIFF) && startsWith(b, 8, WEBP_TAG)) {
            return WEBP;
        }
        return null;
    }

    /** The type named by a MIME string (case-insensitive, surrounding spaces ignored); null if none. */
    static ImageType ofMime(String mime) {
        String m = mime.strip().toLowerCase(Locale.ROOT);
        for (ImageType t : values()) {
            if (t.mime.equals(m)) {
                return t;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] b, int offset, byte[] magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
