package com.wagateway.media;

import java.util.Base64;

/**
 * An image ready to send: its bytes and the MIME type sniffed from them (never the one a client
 * or a server claimed). Produced only by {@link ImageLoader}, so {@code mimeType} is always
 * {@code image/jpeg}, {@code image/png} or {@code image/webp} and {@code bytes} is non-empty
 * and within the size limit.
 *
 * @param bytes    the image as received; callers must not modify it
 * @param mimeType the sniffed type
 */
public record LoadedImage(byte[] bytes, String mimeType) {

    /** The bytes as standard, padded base64 (what the engine's {@code send} command carries). */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Size and type only: the image itself never ends up in a log line. */
    @Override
    public String toString() {
        return "LoadedImage[" + mimeType + ", " + bytes.length + " bytes]";
    }
}
