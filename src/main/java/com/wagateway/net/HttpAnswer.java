package com.wagateway.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads one HTTP/1.1 answer from a socket's stream (RFC 9112): the status line, the headers,
 * and the body framed by {@code Transfer-Encoding: chunked}, {@code Content-Length} or the end of
 * the connection. Interim {@code 1xx} answers are skipped. Of the body only the first
 * {@code keep} bytes are kept; up to {@link #MAX_DRAIN} bytes more are read and dropped so the
 * connection can carry the next request, and a longer body leaves the connection closed instead.
 *
 * @param status     the final status code
 * @param body       the kept start of the body (UTF-8; NUL replaced, PostgreSQL text cannot hold it)
 * @param retryAfter the {@code Retry-After} header, or null
 * @param reusable   true when the whole answer was read and the server keeps the connection open
 */
public record HttpAnswer(int status, String body, String retryAfter, boolean reusable) {

    /** Bytes read past the kept start of a body to keep the connection; a longer body closes it. */
    static final int MAX_DRAIN = 64 * 1024;
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_INTERIM = 16;

    /**
     * Reads the answer to a request that is already sent. Throws {@link ProtocolException} on
     * anything that is not HTTP/1.x, {@link EOFException} when the stream ends early.
     */
    public static HttpAnswer read(InputStream in, int keep) throws IOException {
        for (int interim = 0; interim <= MAX_INTERIM; interim++) {
            Head head = Head.read(in);
            if (head.status >= 100 && head.status < 200) {
                if (head.status == 101) {
                    throw new ProtocolException("unexpected 101 Switching Protocols");
                }
                continue; // 100 Continue, 103 Early Hints: the final answer follows
            }
            return body(in, head, keep);
        }
        throw new ProtocolException("too many interim answers");
    }

    private static HttpAnswer body(InputStream in, Head head, int keep) throws IOException {
        Body b = new Body(keep);
        boolean complete;
        if (head.status == 204 || head.status == 304) {
            complete = true; // never a body
        } else if (head.chunked) {
            complete = readChunked(in, b);
        } else if (!head.transferEncoding && head.contentLength >= 0) {
            complete = b.exactly(in, head.contentLength);
        } else {
            // no framing, or a coding other than chunked last: the body runs to the connection's end
            complete = false;
            b.untilEnd(in);
        }
        return new HttpAnswer(head.status, b.text(), head.retryAfter, complete && head.keepAlive);
    }

    /** Reads a chunked body and its trailers; false when it was too long to read to its end. */
    private static boolean readChunked(InputStream in, Body b) throws IOException {
        while (true) {
            String line = line(in);
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad chunk size");
            }
            if (size < 0) {
                throw new ProtocolException("bad chunk size");
            }
            if (size == 0) {
                int trailerBytes = 0;
                for (String t = line(in); !t.isEmpty(); t = line(in)) {
                    trailerBytes += t.length();
                    if (trailerBytes > MAX_HEADER_BYTES) {
                        throw new ProtocolException("trailers too long");
                    }
                }
                return true;
            }
            if (!b.exactly(in, size)) {
                return false;
            }
            if (!line(in).isEmpty()) {
                throw new ProtocolException("chunk not followed by CRLF");
            }
        }
    }

    /** A line ending in LF (CR before it dropped), ISO-8859-1; at most {@link #MAX_LINE} bytes. */
    static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed before the answer was complete");
            }
            if (c == '\n') {
                int n = s.length();
                return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
            }
            if (s.length() >= MAX_LINE) {
                throw new ProtocolException("answer line too long");
            }
            s.append((char) c);
        }
    }

    /** The status line and the headers that decide framing, reuse and retrying. */
    private static final class Head {
        int status;
        long contentLength = -1;
        boolean chunked;
        boolean transferEncoding;
        boolean keepAlive = true;
        String retryAfter;

        static Head read(InputStream in) throws IOException {
            Head h = new Head();
            String status = line(in);
            // "HTTP/1.1 200 OK": version, a space, three digits, then a space or the end
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
                    || status.length() > 12 && status.charAt(12) != ' ') {
                throw new ProtocolException("not an HTTP/1.x answer");
            }
            try {
                h.status = Integer.parseInt(status.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad status code");
            }
            if (h.status < 100) {
                throw new ProtocolException("bad status code");
            }
            h.keepAlive = status.charAt(7) != '0'; // an HTTP/1.0 server closes after answering
            int bytes = status.length();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                bytes += line.length();
                if (bytes > MAX_HEADER_BYTES) {
                    throw new ProtocolException("answer headers too long");
                }
                h.header(line);
            }
            return h;
        }

        private void header(String line) throws ProtocolException {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return; // not a header (or an obsolete folded line): ignored
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    long n;
                    try {
                        n = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new ProtocolException("bad Content-Length");
                    }
                    if (n < 0 || contentLength >= 0 && contentLength != n) {
                        throw new ProtocolException("bad Content-Length");
                    }
                    contentLength = n;
                }
                case "transfer-encoding" -> {
                    transferEncoding = true;
                    String[] codings = value.toLowerCase(Locale.ROOT).split(",");
                    chunked = codings[codings.length - 1].trim().equals("chunked");
                }
                case "connection" -> {
                    for (String token : value.toLowerCase(Locale.ROOT).split(",")) {
                        if (token.trim().equals("close")) {
                            keepAlive = false;
                        }
                    }
                }
                case "retry-after" -> {
                    if (retryAfter == null) {
                        retryAfter = value;
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Collects the first {@code keep} bytes of a body and counts what it drops. */
    private static final class Body {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int keep;
        private final byte[] buf = new byte[8192];
        private long dropped;

        Body(int keep) {
            this.keep = keep;
        }

        /** Reads {@code n} body bytes; false (and stops) once the drain budget is spent. */
        boolean exactly(InputStream in, long n) throws IOException {
            long left = n;
            while (left > 0) {
                int want = (int) Math.min(buf.length, left);
                int keepNow = Math.max(0, keep - kept.size());
                if (keepNow == 0 && dropped + want > MAX_DRAIN) {
                    return false;
                }
                int r = in.read(buf, 0, want);
                if (r < 0) {
                    throw new EOFException("connection closed before the answer was complete");
                }
                take(r);
                left -= r;
            }
            return true;
        }

        /** Reads to the end of the stream, but no further than the kept bytes need. */
        void untilEnd(InputStream in) throws IOException {
            while (kept.size() < keep) {
                int r = in.read(buf, 0, Math.min(buf.length, keep - kept.size()));
                if (r < 0) {
                    return;
                }
                take(r);
            }
        }

        private void take(int r) {
            int k = Math.min(r, keep - kept.size());
            if (k > 0) {
                kept.write(buf, 0, k);
            }
            dropped += r - Math.max(0, k);
        }

        String text() {
            // a cut multi-byte character becomes U+FFFD
            return kept.toString(StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
        }
    }
}
