package com.wagateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * {@link MediaLoader} with base64 input: every format is recognised by its bytes and accepted
 * only for its types, the per-type limits (and MEDIA_MAX_BYTES) hold, documents keep a name.
 */
class MediaLoaderTest {

    final MediaLoader loader = new MediaLoader(new PublicAddressGuard(false), Duration.ofSeconds(2), 64L << 20);

    static byte[] file(String header, int size) {
        return file(header.getBytes(StandardCharsets.ISO_8859_1), size);
    }

    static byte[] file(byte[] header, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 13 + 5);
        }
        System.arraycopy(header, 0, b, 0, header.length);
        return b;
    }

    static final byte[] JPEG = file(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, 100);
    static final byte[] GIF = file("GIF89a", 100);
    static final byte[] MP4 = file("\0\0\0\u0018ftypisom", 100);
    static final byte[] M4A = file("\0\0\0\u0018ftypM4A ", 100);
    static final byte[] THREE_GP = file("\0\0\0\u0018ftyp3gp4", 100);
    static final byte[] MP3_FRAME = file(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90}, 100);
    static final byte[] AAC = file(new byte[] {(byte) 0xFF, (byte) 0xF1, 0x50}, 100);
    static final byte[] AMR = file("#!AMR\n", 100);
    static final byte[] WAV = file("RIFF\0\0\0\0WAVEfmt ", 100);
    static final byte[] VORBIS = file("OggS", 100);
    static final byte[] OPUS = opus();
    static final byte[] PDF = file("%PDF-1.7", 100);

    static byte[] opus() {
        byte[] b = file("OggS", 100);
        System.arraycopy("OpusHead".getBytes(StandardCharsets.US_ASCII), 0, b, 28, 8);
        return b;
    }

    static byte[] webp(boolean animated, int size) {
        byte[] b = file("RIFF\0\0\0\0WEBPVP8X", size);
        b[20] = (byte) (animated ? 0x02 : 0x00);
        return b;
    }

    MediaLoader.LoadedMedia load(MediaKind kind, byte[] bytes, String mime, String name) {
        return loader.load(kind, null, Base64.getEncoder().encodeToString(bytes), mime, name);
    }

    ApiException.InvalidInput refused(MediaKind kind, byte[] bytes, String mime, String name) {
        return catchThrowableOfType(ApiException.InvalidInput.class, () -> load(kind, bytes, mime, name));
    }

    @Test
    void eachFormatIsRecognisedAndAcceptedForItsTypes() {
        assertThat(load(MediaKind.IMAGE, JPEG, null, null).mimeType()).isEqualTo("image/jpeg");
        assertThat(load(MediaKind.IMAGE, GIF, null, null).mimeType()).isEqualTo("image/gif");
        assertThat(load(MediaKind.VIDEO, MP4, null, null).mimeType()).isEqualTo("video/mp4");
        assertThat(load(MediaKind.VIDEO, THREE_GP, null, null).mimeType()).isEqualTo("video/3gpp");
        assertThat(load(MediaKind.AUDIO, M4A, null, null).mimeType()).isEqualTo("audio/mp4");
        assertThat(load(MediaKind.AUDIO, MP3_FRAME, null, null).mimeType()).isEqualTo("audio/mpeg");
        assertThat(load(MediaKind.AUDIO, AAC, null, null).mimeType()).isEqualTo("audio/aac");
        assertThat(load(MediaKind.AUDIO, AMR, null, null).mimeType()).isEqualTo("audio/amr");
        assertThat(load(MediaKind.AUDIO, WAV, null, null).mimeType()).isEqualTo("audio/wav");
        assertThat(load(MediaKind.AUDIO, VORBIS, null, null).mimeType()).isEqualTo("audio/ogg");
        assertThat(load(MediaKind.VOICE, OPUS, "audio/ogg", null).mimeType()).isEqualTo("audio/ogg; codecs=opus");
        assertThat(load(MediaKind.STICKER, webp(false, 1000), null, null).mimeType()).isEqualTo("image/webp");
        MediaLoader.LoadedMedia doc = load(MediaKind.DOCUMENT, PDF, null, "invoice.pdf");
        assertThat(doc.mimeType()).isEqualTo("application/pdf");
        assertThat(doc.fileName()).isEqualTo("invoice.pdf");
        // unknown bytes are fine as a document: the given type, else octet-stream; default name
        MediaLoader.LoadedMedia csv = load(MediaKind.DOCUMENT, "a,b\n1,2\n".getBytes(StandardCharsets.US_ASCII), "text/csv", null);
        assertThat(csv.mimeType()).isEqualTo("text/csv");
        assertThat(csv.fileName()).isEqualTo("document");
        assertThat(load(MediaKind.DOCUMENT, new byte[] {1, 2, 3}, null, null).mimeType()).isEqualTo("application/octet-stream");
    }

    @Test
    void contentThatDoesNotFitTheTypeIsRefusedNamingWhatItIs() {
        assertThat(refused(MediaKind.IMAGE, PDF, null, null).code()).isEqualTo("media_type_mismatch");
        assertThat(refused(MediaKind.IMAGE, PDF, null, null).getMessage()).contains("application/pdf").contains("document");
        assertThat(refused(MediaKind.VIDEO, JPEG, null, null).code()).isEqualTo("media_type_mismatch");
        assertThat(refused(MediaKind.STICKER, JPEG, null, null).code()).isEqualTo("media_type_mismatch");
        ApiException.InvalidInput voice = refused(MediaKind.VOICE, VORBIS, null, null);
        assertThat(voice.code()).isEqualTo("media_type_mismatch");
        assertThat(voice.getMessage()).contains("OGG/Opus").contains("does not convert");
        assertThat(refused(MediaKind.IMAGE, JPEG, "image/png", null).code()).isEqualTo("mime_type_mismatch");
        assertThat(refused(MediaKind.DOCUMENT, PDF, "not a mime", null).code()).isEqualTo("invalid_mime_type");
        assertThat(refused(MediaKind.DOCUMENT, PDF, null, "a/b.pdf").code()).isEqualTo("invalid_file_name");
        assertThat(refused(MediaKind.DOCUMENT, new byte[0], null, null).code()).isEqualTo("invalid_media_source");
    }

    @Test
    void perTypeLimitsHoldAndMediaMaxBytesCapsThem() {
        assertThat(load(MediaKind.STICKER, webp(false, 100 * 1024), null, null)).isNotNull();
        assertThat(refused(MediaKind.STICKER, webp(false, 100 * 1024 + 1), null, null).code()).isEqualTo("media_too_large");
        assertThat(load(MediaKind.STICKER, webp(true, 500 * 1024), null, null)).isNotNull();
        ApiException.InvalidInput animated = refused(MediaKind.STICKER, webp(true, 500 * 1024 + 1), null, null);
        assertThat(animated.code()).isEqualTo("media_too_large");
        assertThat(animated.getMessage()).contains("500 KB");
        assertThat(loader.limitOf(MediaKind.DOCUMENT)).isEqualTo(64L << 20);
        assertThat(loader.limitOf(MediaKind.VIDEO)).isEqualTo(16L << 20);
        MediaLoader small = new MediaLoader(new PublicAddressGuard(false), Duration.ofSeconds(2), 1000);
        assertThat(catchThrowableOfType(ApiException.InvalidInput.class,
                () -> small.load(MediaKind.DOCUMENT, null, Base64.getEncoder().encodeToString(file("%PDF-", 1001)), null, null))
                .code()).isEqualTo("media_too_large");
    }

    @Test
    void aDocumentsDefaultNameComesFromItsUrl() {
        assertThat(MediaLoader.defaultName("https://example.com/files/invoice-42.pdf?sig=x")).isEqualTo("invoice-42.pdf");
        assertThat(MediaLoader.defaultName("https://example.com/")).isEqualTo("document");
        assertThat(MediaLoader.defaultName(null)).isEqualTo("document");
    }
}
