package com.wagateway.webhooks;

import com.wagateway.config.GatewayProperties;
import com.wagateway.net.HttpAnswer;
import com.wagateway.net.PostClient;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.net.UnsafeUrlException;
import com.wagateway.shared.Threads;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sends one signed webhook request with {@link PostClient}: a blocking HTTP/1.1 exchange on a
 * kept-alive socket, on a pool of worker threads that grows with the requests in flight (the
 * dispatcher bounds those: {@code WEBHOOK_MAX_IN_FLIGHT} x {@code WEBHOOK_PER_CONNECTION_IN_FLIGHT})
 * and keeps {@code WEBHOOK_WORKERS} threads when idle, so a slow receiver holds only its own
 * thread. Redirects are never followed. The URL's name is resolved and checked right before each
 * request, and the socket goes to the checked address, so a name that resolves into a private
 * network, now or in a second DNS answer, is never called. The answer's body is kept up to 2 KB.
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

    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final PostClient http;
    private final PublicAddressGuard guard;
    private final Duration timeout;

    public WebhookSender(GatewayProperties props, PublicAddressGuard guard) {
        this.workers = new ThreadPoolExecutor(Math.max(1, props.webhooks().workers()), Integer.MAX_VALUE,
                60, TimeUnit.SECONDS, new SynchronousQueue<>(), Threads.numbered("webhook-worker"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Threads.named("webhook-watchdog"));
        this.timeout = props.webhooks().timeout();
        this.guard = guard;
        this.http = new PostClient(timeout, watchdog);
    }

    /**
     * Sends on a worker thread; the future never fails (failures are a {@link Result} with an
     * error). The exchange (connect, request, answer) ends within the timeout; the name's lookup
     * before it is the system resolver's and has no timeout of its own, so the future is also
     * completed with "timeout" at twice the timeout plus a second, whatever the lookup does.
     */
    public CompletableFuture<Result> send(Request r) {
        long start = System.nanoTime();
        CompletableFuture<Result> result = new CompletableFuture<>();
        try {
            workers.execute(() -> result.complete(exchange(r, start)));
        } catch (RejectedExecutionException e) {
            result.complete(new Result(null, null, null, 0, "shutting down", false));
        }
        long bound = timeout.toMillis() * 2 + 1000;
        return result.completeOnTimeout(new Result(null, null, null, bound, "timeout", false), bound, TimeUnit.MILLISECONDS);
    }

    private Result exchange(Request r, long start) {
        try {
            PublicAddressGuard.Target target = guard.resolve(r.url());
            HttpAnswer a = http.post(target, headers(r), r.body().getBytes(StandardCharsets.UTF_8), timeout, MAX_BODY);
            return new Result(a.status(), a.body(), a.retryAfter(), millisSince(start), null, false);
        } catch (UnsafeUrlException u) {
            // an unresolvable name may be a DNS hiccup: retried; a private address is not
            return new Result(null, null, null, millisSince(start), u.code() + ": " + u.getMessage(),
                    !"unresolvable_host".equals(u.code()));
        } catch (IOException | RuntimeException e) {
            return new Result(null, null, null, millisSince(start), describe(e), false);
        }
    }

    private static List<String> headers(Request r) {
        long ts = Instant.now().getEpochSecond();
        return List.of(
                "Content-Type", "application/json",
                "User-Agent", "wa-gateway-webhooks/1",
                "X-Webhook-Event", r.eventType(),
                "X-Webhook-Id", r.eventId().toString(),
                "X-Webhook-Timestamp", Long.toString(ts),
                "X-Webhook-Signature", WebhookSignature.sign(r.secret(), ts, r.body()));
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
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
        workers.shutdown();
        http.close(); // requests still in flight fail at once
        watchdog.shutdownNow();
    }
}
