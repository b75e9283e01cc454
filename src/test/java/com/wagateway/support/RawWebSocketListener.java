package com.wagateway.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback WebSocket endpoint that stands where WhatsApp's server would: it accepts the
 * upgrade, records the first binary frame each client sends (Baileys' Noise intro starts with
 * the bytes {@code WA}), then closes the connection as a server going away would.
 */
public final class RawWebSocketListener implements AutoCloseable {

    private final ServerSocket server;
    private final List<byte[]> firstFrames = new CopyOnWriteArrayList<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();

    public RawWebSocketListener() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "ws-listener");
        t.setDaemon(true);
        t.start();
    }

    public String url() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/ws/chat";
    }

    public List<byte[]> firstFrames() {
        return firstFrames;
    }

    public List<String> requestLines() {
        return requestLines;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                handle(s);
            } catch (IOException e) {
                // client went away or listener closed: next
            }
        }
    }

    private void handle(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        String head = readHead(in);
        requestLines.add(head.lines().findFirst().orElse(""));
        String key = head.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("");
        String accept = accept(key);
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        firstFrames.add(readFrame(new DataInputStream(in)));
        out.write(new byte[] {(byte) 0x88, 0x02, 0x03, (byte) 0xE9}); // close 1001 going away
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            buf.write(b);
            String sofar = buf.toString(StandardCharsets.ISO_8859_1);
            if (sofar.endsWith("\r\n\r\n")) {
                return sofar;
            }
        }
        throw new IOException("no upgrade request");
    }

    /** Reads one client frame (always masked) and returns its unmasked payload. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        in.readUnsignedByte(); // FIN + opcode
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((b1 & 0x80) != 0) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i % 4];
        }
        return payload;
    }

    private static String accept(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
