package com.wagateway.media;

import java.nio.charset.StandardCharsets;

/**
 * What a file really is, judged by its first bytes only (never by a declared Content-Type, data
 * URL or {@code mime_type}). Knows the formats WhatsApp plays; anything else is {@code null}
 * (which only documents accept).
 */
final class MediaSniffer {

    private MediaSniffer() {
    }

    /**
     * The sniffed format: its MIME type and, for WebP, whether it is animated (a sticker's size
     * limit depends on it); null when the bytes are none of the known formats.
     */
    record Sniffed(String mime, boolean animated) {
    }

    /**
     * Recognises JPEG, PNG, GIF, WebP (animated or not), MP4/M4A/3GP (ISO base media {@code ftyp}),
     * OGG (Opus or other), MP3 (ID3 or an MPEG frame header), AAC (ADTS), AMR, WAV and PDF.
     */
    static Sniffed sniff(byte[] b) {
        if (at(b, 0, 0xFF, 0xD8, 0xFF)) {
            return of("image/jpeg");
        }
        if (at(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return of("image/png");
        }
        if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
            return of("image/gif");
        }
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
            // VP8X extended header: flags byte at 20, bit 1 = animation
            boolean animated = ascii(b, 12, "VP8X") && b.length > 20 && (b[20] & 0x02) != 0;
            return new Sniffed("image/webp", animated);
        }
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) {
            return of("audio/wav");
        }
        if (ascii(b, 4, "ftyp") && b.length >= 12) {
            String brand = new String(b, 8, 4, StandardCharsets.US_ASCII);
            if (brand.startsWith("M4A") || brand.startsWith("M4B")) {
                return of("audio/mp4");
            }
            if (brand.startsWith("3gp") || brand.startsWith("3g2")) {
                return of("video/3gpp");
            }
            return of("video/mp4");
        }
        if (ascii(b, 0, "OggS")) {
            return of(ascii(b, 28, "OpusHead") ? "audio/ogg; codecs=opus" : "audio/ogg");
        }
        if (ascii(b, 0, "#!AMR")) {
            return of("audio/amr");
        }
        if (ascii(b, 0, "ID3")) {
            return of("audio/mpeg");
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0) {
            if ((b[1] & 0xF6) == 0xF0) {
                return of("audio/aac"); // ADTS: sync 0xFFF, layer 00
            }
            if ((b[1] & 0x06) != 0) {
                return of("audio/mpeg"); // MPEG audio frame, layer I-III
            }
        }
        if (ascii(b, 0, "%PDF-")) {
            return of("application/pdf");
        }
        return null;
    }

    private static Sniffed of(String mime) {
        return new Sniffed(mime, false);
    }

    private static boolean ascii(byte[] b, int offset, String magic) {
        if (b.length < offset + magic.length()) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if (b[offset + i] != (byte) magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean at(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
