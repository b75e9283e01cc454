package com.wagateway.net;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server written on plain sockets, for tests that need answers the JDK server
 * cannot give (a chosen framing, an idle close, silence). For each request it parses the head
 * and the {@code Content-Length} body, records it, and lets {@link Handler} write raw bytes.
 */
final class RawHttpServer implements AutoCloseable {

    /** One request: the connection it came on (1, 2, ...), its head lines and its body. */
    record Request(int connection, List<String> head, String body) {
        String header(String name) {
            return head.stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
        }
    }

    /** Answers a request; returns false to close the connection after it. */
    interface Handler {
        boolean answer(Request r, OutputStream out) throws IOException;
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    RawHttpServer(Handler handler) throws IOException {
        this(InetAddress.getLoopbackAddress(), handler);
    }

    RawHttpServer(InetAddress address, Handler handler) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(address, 0));
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    int n = connections.incrementAndGet();
                    threads.execute(() -> serve(s, n, handler));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    private void serve(Socket s, int connection, Handler handler) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            while (true) {
                List<String> head = new java.util.ArrayList<>();
                for (String line = HttpAnswer.line(in); !line.isEmpty(); line = HttpAnswer.line(in)) {
                    head.add(line);
                }
                Request partial = new Request(connection, head, "");
                String length = partial.header("Content-Length");
                byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
                Request r = new Request(connection, List.copyOf(head), new String(body, StandardCharsets.UTF_8));
                requests.add(r);
                OutputStream out = s.getOutputStream();
                boolean more = handler.answer(r, out);
                out.flush();
                if (!more) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, or the test closed the server
        }
    }

    /** A whole answer with a {@code Content-Length} body. */
    static byte[] answer(int status, String extraHeaders, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ("HTTP/1.1 " + status + " X\r\n" + extraHeaders + "Content-Length: " + b.length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
