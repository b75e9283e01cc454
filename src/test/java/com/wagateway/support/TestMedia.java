package com.wagateway.support;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.ImageIO;

/**
 * Small real media files made in the test, so browsers and decoders treat them as the real thing:
 * a PNG (drawn with ImageIO), an OGG/Opus voice note (valid OGG pages with CRCs, Opus identification
 * and comment headers, and 20 ms CELT silence packets) and a one-page PDF.
 */
public final class TestMedia {

    private TestMedia() {
    }

    /** A {@code width}×{@code height} PNG with a coloured square, so it is visibly a picture. */
    public static byte[] png(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(16, 185, 129));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillRect(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A 20 ms full-band CELT frame of silence (TOC 0xF8, mono, one frame), as RTP stacks send it. */
    private static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};
    private static final int PRE_SKIP = 312;

    /**
     * A mono OGG/Opus file of {@code seconds} seconds of silence: page 0 OpusHead (BOS), page 1
     * OpusTags, then audio pages of up to 50 packets (1 s) each, the last one EOS; granule
     * positions count 48 kHz samples as RFC 7845 says, so players report the duration.
     */
    public static byte[] oggOpus(int seconds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int serial = 0x5A17_0001;
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1).putShort((short) PRE_SKIP)
                .putInt(48_000).putShort((short) 0).put((byte) 0);
        page(out, 0x02, 0, serial, 0, new byte[][] {head.array()});
        byte[] vendor = "wa-gateway tests".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer tags = ByteBuffer.allocate(8 + 4 + vendor.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(vendor.length).put(vendor).putInt(0);
        page(out, 0, 0, serial, 1, new byte[][] {tags.array()});
        long granule = 0;
        for (int s = 0; s < seconds; s++) {
            byte[][] packets = new byte[50][];
            java.util.Arrays.fill(packets, OPUS_SILENCE);
            granule += 50 * 960;
            page(out, s == seconds - 1 ? 0x04 : 0, granule, serial, 2 + s, packets);
        }
        return out.toByteArray();
    }

    /** One OGG page holding whole packets (each under 255 bytes), with its CRC. */
    private static void page(ByteArrayOutputStream out, int flags, long granule, int serial, int sequence, byte[][] packets) {
        int bodyLength = 0;
        for (byte[] p : packets) {
            bodyLength += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(27 + packets.length + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) flags).putLong(granule).putInt(serial)
                .putInt(sequence).putInt(0).put((byte) packets.length);
        for (byte[] p : packets) {
            if (p.length >= 255) {
                throw new IllegalArgumentException("packets of this helper stay under 255 bytes");
            }
            b.put((byte) p.length);
        }
        for (byte[] p : packets) {
            b.put(p);
        }
        byte[] bytes = b.array();
        int crc = oggCrc(bytes);
        bytes[22] = (byte) crc;
        bytes[23] = (byte) (crc >>> 8);
        bytes[24] = (byte) (crc >>> 16);
        bytes[25] = (byte) (crc >>> 24);
        out.writeBytes(bytes);
    }

    /** OGG's CRC-32: polynomial 0x04C11DB7, initial 0, not reflected, no final XOR. */
    static int oggCrc(byte[] data) {
        int crc = 0;
        for (byte d : data) {
            crc ^= (d & 0xFF) << 24;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }

    /** A one-page PDF whose text is {@code text} (ASCII letters and spaces). */
    public static byte[] pdf(String text) {
        String stream = "BT /F1 18 Tf 40 100 Td (" + text + ") Tj ET";
        String[] objects = {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length " + stream.length() + " >>\nstream\n" + stream + "\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        int[] offsets = new int[objects.length];
        for (int i = 0; i < objects.length; i++) {
            offsets[i] = pdf.length();
            pdf.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
        for (int o : offsets) {
            pdf.append(String.format("%010d 00000 n \n", o));
        }
        pdf.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n").append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
