package com.wagateway.media;

import com.wagateway.net.PinnedHttp;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.services.ApiException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * Downloads an {@code image_url} the careful way: the guard resolves and checks each URL (the
 * first and every redirect target) right before the request to it, the request goes to the
 * checked address ({@link PinnedHttp}), redirects are followed by hand (at
 * most {@link #MAX_REDIRECTS}), one deadline covers the whole exchange including the body, and
 * the body is never read past {@code maxBytes + 1} bytes.
 */
final class ImageFetcher {

    static final int MAX_REDIRECTS = 3;
    

    private final PublicAddressGuard guard;
    private final Duration timeout;
    private final int maxBytes;
    private final PinnedHttp http;
    private final MediaSource.Fields fields;

    ImageFetcher(PublicAddressGuard guard, Duration timeout, int maxBytes) {
        this(guard, timeout, maxBytes, MediaSource.IMAGE);
    }

    /** {@code fields} names the request field and the noun ("image", "media") of every refusal. */
    ImageFetcher(PublicAddressGuard guard, Duration timeout, int maxBytes, MediaSource.Fields fields) {
        this.fields = fields;
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the image fetch timeout must be positive");
        }
        this.guard = guard;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        // NEVER: the client must not follow redirects itself, or a redirect to a private
        // address would be requested before the guard could see it.
        this.http = new PinnedHttp(() -> HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER));
    }

    /**
     * Returns the body of the final 2xx response: at most {@code maxBytes + 1} bytes (one more
     * than allowed means "too large"; the caller refuses it). Refuses with 400
     * {@code image_fetch_failed} (timeouts, connection failures, non-2xx, too many redirects),
     * {@code image_too_large} (Content-Length above the limit, before the body is read), or the
     * guard's {@link com.wagateway.net.UnsafeUrlException} for the caller to map.
     */
    byte[] fetch(String url) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PublicAddressGuard.Target target = guard.resolve(url);
        for (int redirects = 0; ; redirects++) {
            HttpResponse<byte[]> response = send(target, deadline);
            int status = response.statusCode();
            if (isRedirect(status)) {
                if (redirects == MAX_REDIRECTS) {
                    throw failed("the image URL redirected more than " + MAX_REDIRECTS + " times");
                }
                String location = response.headers().firstValue("Location").orElseThrow(
                        () -> failed("the image server answered HTTP " + status + " without a Location"));
                target = guard.resolve(resolve(target.uri(), location));
                continue;
            }
            if (status < 200 || status > 299) {
                throw failed("the image server answered HTTP " + status);
            }
            if (declaredLength(response.headers()) > maxBytes) {
                throw MediaSource.tooLarge(fields, fields.urlField(), maxBytes);
            }
            return response.body();
        }
    }

    /**
     * One GET under the remaining time. The body handler reads a body only for a 2xx answer
     * whose declared length fits; redirects, errors and oversized answers are cut off unread.
     * On the deadline the exchange is cancelled, so a server that trickles bytes cannot hold
     * the caller (or the connection) past the timeout.
     */
    private HttpResponse<byte[]> send(PublicAddressGuard.Target target, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut();
        }
        HttpRequest request;
        try {
            request = PinnedHttp.request(target).timeout(Duration.ofNanos(left))
                    .header("Accept", fields.accept()).GET().build();
        } catch (IllegalArgumentException e) {
            throw failed("the image URL cannot be requested");
        }
        AtomicReference<CappedBodySubscriber> reader = new AtomicReference<>();
        HttpResponse.BodyHandler<byte[]> handler = info -> {
            long length = declaredLength(info.headers());
            CappedBodySubscriber s = info.statusCode() / 100 == 2 && length <= maxBytes
                    ? CappedBodySubscriber.capped(maxBytes + 1, length)
                    : CappedBodySubscriber.refusing();
            reader.set(s);
            return s;
        };
        CompletableFuture<HttpResponse<byte[]>> exchange = http.client(target).sendAsync(request, handler);
        try {
            return exchange.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abort(exchange, reader);
            throw timedOut();
        } catch (InterruptedException e) {
            abort(exchange, reader);
            Thread.currentThread().interrupt();
            throw failed("fetching the image was interrupted");
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    private static void abort(CompletableFuture<?> exchange, AtomicReference<CappedBodySubscriber> reader) {
        exchange.cancel(true);
        CappedBodySubscriber s = reader.get();
        if (s != null) {
            s.abort();
        }
    }

    /** Maps the HTTP client's failure to a message that helps the caller without a stack trace. */
    private ApiException.InvalidInput failure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HttpTimeoutException) {
                return timedOut();
            }
            if (c instanceof ConnectException) {
                return failed("could not connect to the image server");
            }
            if (c instanceof SSLException) {
                return failed("the TLS handshake with the image server failed");
            }
        }
        if (t instanceof IOException) {
            return failed("fetching the image failed: "
                    + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
        }
        return failed("fetching the image failed");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The absolute redirect target, without a fragment (the guard refuses fragments; servers never see them). */
    private String resolve(URI base, String location) {
        try {
            String target = base.resolve(location.strip()).toString();
            int hash = target.indexOf('#');
            return hash < 0 ? target : target.substring(0, hash);
        } catch (IllegalArgumentException e) {
            throw failed("the image server redirected to an invalid URL");
        }
    }

    /** The Content-Length, or -1 when absent or unreadable (then only the hard cap applies). */
    private static long declaredLength(HttpHeaders headers) {
        try {
            return headers.firstValueAsLong("Content-Length").orElse(-1);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private ApiException.InvalidInput timedOut() {
        return failed("fetching the image timed out after " + durationText(timeout));
    }

    private ApiException.InvalidInput failed(String message) {
        return new ApiException.InvalidInput(fields.noun() + "_fetch_failed", fields.urlField(),
                message.replace("the image", "the " + fields.noun()).replace("fetching the image", "fetching the " + fields.noun()));
    }

    private static String durationText(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
