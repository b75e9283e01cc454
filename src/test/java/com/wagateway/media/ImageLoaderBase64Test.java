package com.wagateway.media;

import static com.wagateway.media.ImageLoaderTest.GIF;
import static com.wagateway.media.ImageLoaderTest.JPEG;
import static com.wagateway.media.ImageLoaderTest.MAX;
import static com.wagateway.media.ImageLoaderTest.PNG;
import static com.wagateway.media.ImageLoaderTest.WEBP;
import static com.wagateway.media.ImageLoaderTest.assertRefused;
import static com.wagateway.media.ImageLoaderTest.b64;
import static com.wagateway.media.ImageLoaderTest.image;
import static com.wagateway.media.ImageLoaderTest.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ImageLoader} with base64 input (raw or data URL); URL fetches are in {@link ImageLoaderTest}. */
class ImageLoaderBase64Test {

    final ImageLoader loader = new ImageLoader(new PublicAddressGuard(true), Duration.ofSeconds(5), MAX);

    @Test
    void rawBase64() {
        LoadedImage img = loader.load(null, b64(WEBP), null);
        assertThat(img.bytes()).isEqualTo(WEBP);
        assertThat(img.mimeType()).isEqualTo("image/webp");
        assertThat(img.base64()).isEqualTo(b64(WEBP));
        assertThat(img.toString()).doesNotContain(b64(WEBP));
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:image/png;base64,", "DATA:IMAGE/PNG;BASE64,", "data:image/jpeg;base64,"})
    void dataUrlTypeIsIgnoredInFavourOfTheBytes(String prefix) {
        LoadedImage img = loader.load(null, "  " + prefix + b64(PNG) + "\n", "image/png");
        assertThat(img.bytes()).isEqualTo(PNG);
        assertThat(img.mimeType()).isEqualTo("image/png");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!!", "iVBO Rw0K", "iVBORw0K\nGgo=", "QQ", "QQ=", "QQ==QQ==", "iVBORw0K-_8=",
            "data:text/plain;base64,iVBORw0KGgo=", "data:image/png,iVBORw0KGgo=", "data:image/png;base64"})
    void badBase64IsRefused(String value) {
        assertRefused(refusal(() -> loader.load(null, value, null)), "invalid_base64", "image_base64");
    }

    @Test
    void emptyDataUrlIsAnEmptyImage() {
        assertRefused(refusal(() -> loader.load(null, "data:image/png;base64,", null)), "empty_image", "image_base64");
    }

    @Test
    void decodedSizeLimit() {
        assertThat(loader.load(null, b64(image(PNG, MAX)), null).bytes()).hasSize(MAX);
        assertRefused(refusal(() -> loader.load(null, b64(image(PNG, MAX + 1)), null)), "image_too_large", "image_base64");
    }

    @Test
    void oversizedStringIsRefusedWithoutDecoding() {
        // Not base64 at all: decoding it would say invalid_base64, so image_too_large proves
        // the encoded length was judged first.
        ImageLoader production = new ImageLoader(new PublicAddressGuard(true), Duration.ofSeconds(5), ImageLoader.DEFAULT_MAX_BYTES);
        String huge = "!".repeat(4 * (ImageLoader.DEFAULT_MAX_BYTES / 3 + 1) + 4);
        assertRefused(refusal(() -> production.load(null, huge, null)), "image_too_large", "image_base64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gif", "riff-wave", "short-riff", "short-jpeg"})
    void onlyJpegPngWebp(String kind) {
        byte[] bytes;
        switch (kind) {
            case "gif":
                bytes = GIF;
                break;
            case "riff-wave":
                bytes = image(new byte[] {'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'A', 'V', 'E'}, 32);
                break;
            case "short-riff":
                bytes = new byte[] {'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'E', 'B'};
                break;
            default:
                bytes = new byte[] {(byte) 0xFF, (byte) 0xD8};
        }
        ApiException.InvalidInput e = refusal(() -> loader.load(null, b64(bytes), null));
        assertRefused(e, "unsupported_image_type", "image_base64");
        assertThat(e.getMessage()).contains("JPEG, PNG or WebP only");
    }

    // ---- mime_type ----

    @ParameterizedTest
    @ValueSource(strings = {"image/png", "IMAGE/PNG", " image/png "})
    void matchingMimeTypeIsAccepted(String mime) {
        assertThat(loader.load(null, b64(PNG), mime).mimeType()).isEqualTo("image/png");
    }

    @ParameterizedTest
    @ValueSource(strings = {"image/gif", "image/jpg", "text/html", "png", "image/png; charset=x"})
    void unknownMimeTypeIsRefused(String mime) {
        assertRefused(refusal(() -> loader.load(null, b64(PNG), mime)), "invalid_mime_type", "mime_type");
    }

    @Test
    void mimeTypeMustMatchTheBytes() {
        ApiException.InvalidInput e = refusal(() -> loader.load(null, b64(JPEG), "image/webp"));
        assertRefused(e, "mime_type_mismatch", "mime_type");
        assertThat(e.getMessage()).contains("image/webp").contains("image/jpeg");
    }

    // ---- exactly one source ----

    @Test
    void neitherSourceIsRefused() {
        assertRefused(refusal(() -> loader.load(null, null, null)), "invalid_image_source", "image_url");
        assertRefused(refusal(() -> loader.load(" ", "", "image/png")), "invalid_image_source", "image_url");
    }
}
