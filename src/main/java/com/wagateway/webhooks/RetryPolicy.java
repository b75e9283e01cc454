package com.wagateway.webhooks;

import com.wagateway.shared.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What happens after a delivery attempt (pure, unit-tested): which answers are retried, how long
 * to wait, and how a {@code Retry-After} header is read.
 *
 * <p>Rules: 2xx is delivered. No answer (connection error, timeout), 5xx, 408 and 429 are
 * retried; everything else (other 4xx, 3xx since redirects are not followed, 1xx) fails at once,
 * because sending the same request again cannot change the answer. The wait is exponential in the
 * connection's consecutive failures ({@code base * 2^(n-1)}, capped) with "equal jitter" (a
 * uniform draw between half and all of it) so many gateways do not retry in lockstep; a valid
 * {@code Retry-After} replaces it exactly (no jitter, never sooner than asked).
 */
public final class RetryPolicy {

    public enum Outcome { DELIVERED, RETRY, FAIL }

    private final Backoff backoff;
    private final Duration maxRetryAge;
    private final RandomGenerator random;

    public RetryPolicy(Duration base, Duration max, Duration maxRetryAge, RandomGenerator random) {
        this.backoff = new Backoff(base, max, Backoff.EQUAL_JITTER);
        this.maxRetryAge = maxRetryAge;
        this.random = random;
    }

    /** Classifies an attempt: {@code status} null means no HTTP answer (network error or timeout). */
    public static Outcome classify(Integer status) {
        if (status == null) {
            return Outcome.RETRY;
        }
        if (status >= 200 && status < 300) {
            return Outcome.DELIVERED;
        }
        if (status >= 500 || status == 408 || status == 429) {
            return Outcome.RETRY;
        }
        return Outcome.FAIL;
    }

    /**
     * The wait before the next attempt after the {@code failures}-th consecutive failure of a
     * connection's endpoint; {@code retryAfter} (already parsed) wins when present.
     */
    public Duration delay(int failures, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) {
            Duration d = retryAfter.get();
            return d.compareTo(maxRetryAge) > 0 ? maxRetryAge : d;
        }
        return backoff(failures);
    }

    /** {@code min(max, base * 2^(failures-1))}, drawn in [half, all] of it: the shared {@link Backoff}. */
    public Duration backoff(int failures) {
        return backoff.delay(failures, random);
    }

    /** True when an event first queued (or redelivered) at {@code since} may not be retried any more. */
    public boolean expired(Instant since, Instant now) {
        return Duration.between(since, now).compareTo(maxRetryAge) > 0;
    }

    /**
     * Reads {@code Retry-After}: delay-seconds ({@code "120"}) or an HTTP-date
     * ({@code "Wed, 21 Oct 2015 07:28:00 GMT"}, measured from {@code now}, never negative).
     * Empty when absent or unreadable (then the normal backoff applies).
     */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // absurdly long
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
