package com.wagateway.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.QrDecoder;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QrCodesTest {

    /** Many Baileys-shaped QR strings: every rendered image must decode back to its exact text. */
    @Test
    void renderedQrDecodesToTheSameText() {
        Random random = new Random(42);
        Base64.Encoder b64 = Base64.getEncoder();
        for (int i = 0; i < 200; i++) {
            byte[] ref = new byte[48];
            byte[] k1 = new byte[32];
            byte[] k2 = new byte[32];
            byte[] k3 = new byte[32];
            random.nextBytes(ref);
            random.nextBytes(k1);
            random.nextBytes(k2);
            random.nextBytes(k3);
            String text = "https://wa.me/settings/linked_devices#2@" + b64.encodeToString(ref) + "," + b64.encodeToString(k1)
                    + "," + b64.encodeToString(k2) + "," + b64.encodeToString(k3) + ",1";
            String dataUrl = QrCodes.pngDataUrl(text);
            assertThat(dataUrl).startsWith("data:image/png;base64,");
            assertThat(QrDecoder.decode(dataUrl)).as("ref %d", i).isEqualTo(text);
        }
    }
}
