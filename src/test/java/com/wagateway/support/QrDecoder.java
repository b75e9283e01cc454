package com.wagateway.support;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.qrcode.QRCodeReader;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Decodes a {@code data:image/png;base64,...} QR the way a phone camera would read it. */
public final class QrDecoder {

    private QrDecoder() {
    }

    public static String decode(String dataUrl) {
        try {
            String b64 = dataUrl.substring(dataUrl.indexOf(',') + 1);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(b64)));
            // QR only, as a phone reads it: a multi-format reader can "find" a 1-D barcode in the modules
            return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img))),
                    java.util.Map.of(DecodeHintType.PURE_BARCODE, Boolean.FALSE)).getText();
        } catch (Exception e) {
            throw new AssertionError("QR image does not decode", e);
        }
    }
}
