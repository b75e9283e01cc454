package com.wagateway.media;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body into memory but never more than {@code limit} bytes: once the limit
 * is reached it cancels the subscription (the HTTP client then drops the connection) and
 * completes with exactly {@code limit} bytes. A caller that sets {@code limit = max + 1} knows
 * the body was too large when it gets {@code max + 1} bytes back, whatever Content-Length
 * said and even for chunked bodies that declare no length. Bytes are requested one buffer list
 * at a time, so nothing beyond the client's own read buffer is pulled from the network.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

    private final int limit;
    private final boolean refuse;
    private final ByteArrayOutputStream out;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private boolean done;

    private CappedBodySubscriber(int limit, int expected, boolean refuse) {
        this.limit = limit;
        this.refuse = refuse;
        this.out = new ByteArrayOutputStream(Math.max(0, Math.min(expected, limit)));
    }

    /**
     * Reads at most {@code limit} bytes; {@code expectedLength} (the Content-Length, or -1)
     * only sizes the buffer and is not trusted for anything else.
     */
    static CappedBodySubscriber capped(int limit, long expectedLength) {
        int expected = expectedLength < 0 || expectedLength > limit ? 8192 : (int) expectedLength;
        return new CappedBodySubscriber(limit, expected, false);
    }

    /** Reads nothing: cancels at once and completes with an empty array (redirects, errors, oversize). */
    static CappedBodySubscriber refusing() {
        return new CappedBodySubscriber(0, 0, true);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (refuse) {
            finish(s);
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (done) {
            return;
        }
        for (ByteBuffer buf : buffers) {
            int n = Math.min(buf.remaining(), limit - out.size());
            byte[] chunk = new byte[n];
            buf.get(chunk);
            out.write(chunk, 0, n);
            if (out.size() >= limit) {
                finish(subscription);
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        if (!done) {
            done = true;
            body.completeExceptionally(t);
        }
    }

    @Override
    public void onComplete() {
        if (!done) {
            done = true;
            body.complete(out.toByteArray());
        }
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    /** Stops reading from another thread (the caller gave up, e.g. on its deadline). */
    void abort() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        body.cancel(false);
    }

    private void finish(Flow.Subscription s) {
        done = true;
        s.cancel();
        body.complete(out.toByteArray());
    }
}
