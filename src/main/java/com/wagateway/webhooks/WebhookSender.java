package com.wagateway.webhooks;

import com.wagateway.shared.Threads;
import com.wagateway.config.GatewayProperties;
import com.wagateway.net.PinnedHttp;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.net.UnsafeUrlException;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sends one signed webhook request with the JDK {@link HttpClient} (asynchronous, on a small
 * fixed pool of worker threads; redirects are never followed). The URL's name is resolved and
 * checked right before each request, and the request goes to the checked address ({@link PinnedHttp}),
 * so a name that resolves into a private network, now or in a second DNS answer, is never called.
 * The answer's body is kept up to 2 KB and the rest is not read.
 */
@Component
public class WebhookSender implements DisposableBean {

    /** Kept from a receiver's answer. */
    public static final int MAX_BODY = 2048;

    /** What to send. {@code body} is sent byte for byte as stored. */
    public record Request(UUID eventId, String eventType, String url, String secret, String body) {
    }

    /**
     * The answer or why there was none. {@code status} null = no HTTP answer; {@code permanent}
     * marks a refusal that retrying cannot fix (the URL became unsafe or invalid).
     */
    public record Result(Integer status, String body, String retryAfter, long latencyMs, String error, boolean permanent) {
    }

    private final ExecutorService workers;
    private final PinnedHttp http;
    private final PublicAddressGuard guard;
    private final Duration timeout;

    public WebhookSender(GatewayProperties props, PublicAddressGuard guard) {
        this.workers = Executors.newFixedThreadPool(Math.max(1, props.webhooks().workers()), Threads.numbered("webhook-worker"));
        this.timeout = props.webhooks().timeout();
        this.guard = guard;
        this.http = new PinnedHttp(() -> HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(workers));
    }

    /** Sends asynchronously; the future never fails (failures are a {@link Result} with an error). */
    public CompletableFuture<Result> send(Request r) {
        long start = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> guard.resolve(r.url()), workers)
                .thenCompose(target -> http.client(target).sendAsync(request(target, r), info -> new TruncatingBody(MAX_BODY)))
                .orTimeout(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS)
                .handle((resp, e) -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (e == null) {
                        return new Result(resp.statusCode(), resp.body(),
                                resp.headers().firstValue("Retry-After").orElse(null), ms, null, false);
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof UnsafeUrlException u) {
                        // an unresolvable name may be a DNS hiccup: retried; a private address is not
                        return new Result(null, null, null, ms, u.code() + ": " + u.getMessage(),
                                !"unresolvable_host".equals(u.code()));
                    }
                    return new Result(null, null, null, ms, describe(cause), false);
                });
    }

    private HttpRequest request(PublicAddressGuard.Target target, Request r) {
        long ts = Instant.now().getEpochSecond();
        return PinnedHttp.request(target)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "wa-gateway-webhooks/1")
                .header("X-Webhook-Event", r.eventType())
                .header("X-Webhook-Id", r.eventId().toString())
                .header("X-Webhook-Timestamp", Long.toString(ts))
                .header("X-Webhook-Signature", WebhookSignature.sign(r.secret(), ts, r.body()))
                .POST(HttpRequest.BodyPublishers.ofString(r.body(), StandardCharsets.UTF_8))
                .build();
    }

    /** A short, secret-free description of a transport failure for the log row. */
    static String describe(Throwable t) {
        if (t instanceof HttpConnectTimeoutException) {
            return "connect timeout";
        }
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
            return "timeout";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        String m = t.getMessage();
        if (m == null && t.getCause() != null) {
            return describe(t.getCause());
        }
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
    }

    /** Keeps the first {@code limit} bytes of a body and stops reading after that. */
    static final class TruncatingBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        TruncatingBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int take = Math.min(b.remaining(), limit - buf.size());
                if (take > 0) {
                    byte[] a = new byte[take];
                    b.get(a);
                    buf.write(a, 0, take);
                }
            }
            if (buf.size() >= limit && !result.isDone()) {
                result.complete(text());
                subscription.cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!result.isDone()) {
                result.completeExceptionally(t);
            }
        }

        @Override
        public void onComplete() {
            result.complete(text());
        }

        private String text() {
            // PostgreSQL text cannot hold NUL; a cut multi-byte character becomes U+FFFD
            return buf.toString(StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
        }
    }
}
