package com.wagateway.net;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;

/**
 * One kept-alive socket of {@link PostClient}: its buffered input (kept across requests, as the
 * buffer belongs to the connection) and the deadline of the request it currently carries. Every
 * read waits at most until that deadline, so a receiver that answers slowly, byte by byte, still
 * ends the request on time.
 */
final class PooledConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DeadlineInput raw;
    private final InputStream in;
    /** When it was last given back to the pool ({@link System#nanoTime}). */
    long idleSince;

    PooledConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.raw = new DeadlineInput(socket.getInputStream(), socket);
        this.in = new BufferedInputStream(raw, 8192);
    }

    /** Sets the deadline ({@link System#nanoTime}) for what follows and resets the byte count. */
    void startRequest(long deadlineNanos) {
        raw.deadline = deadlineNanos;
        raw.count = 0;
    }

    /** Bytes read since {@link #startRequest}: zero means the server sent nothing at all. */
    long answerBytes() {
        return raw.count;
    }

    OutputStream out() {
        return out;
    }

    InputStream in() {
        return in;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }

    /** The socket's stream; each read waits at most until the deadline ({@code SO_TIMEOUT}). */
    private static final class DeadlineInput extends FilterInputStream {
        private final Socket socket;
        long deadline;
        long count;

        DeadlineInput(InputStream in, Socket socket) {
            super(in);
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int r = read(one, 0, 1);
            return r < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new HttpTimeoutException("request timed out");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                int r = super.read(b, off, len);
                if (r > 0) {
                    count += r;
                }
                return r;
            } catch (SocketTimeoutException e) {
                throw new HttpTimeoutException("request timed out");
            }
        }
    }
}
