package com.wagateway.shared;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The one exponential backoff of the gateway, used by every retry loop: reconnects, webhook
 * retries, send retries and engine restarts.
 *
 * <p>Guarantees: the n-th wait is drawn uniformly from {@code [d * (1 - jitter), d]} with
 * {@code d = min(cap, base * 2^(n-1))}; so waits grow, spread out (no thundering herd) and never
 * exceed the cap. {@code jitter} 0 gives exact waits (used where only one thing retries).
 *
 * @param base   the first wait (before jitter)
 * @param cap    the longest wait
 * @param jitter the fraction of the wait that is random, 0 to 1
 */
public record Backoff(Duration base, Duration cap, double jitter) {

    /** Equal jitter: the wait is drawn from the upper half, a common choice for network retries. */
    public static final double EQUAL_JITTER = 0.5;

    public Backoff {
        if (base.isNegative() || cap.isNegative()) {
            throw new IllegalArgumentException("backoff waits cannot be negative, got " + base + " / " + cap);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be within 0..1, got " + jitter);
        }
    }

    /** The un-jittered wait before attempt {@code attempt} (1 = the first retry); never above the cap. */
    public Duration ceiling(int attempt) {
        long capMs = cap.toMillis();
        long ms = base.toMillis();
        for (int i = 1; i < Math.max(1, attempt) && ms < capMs; i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, capMs));
    }

    /** The wait before attempt {@code attempt} (1 = the first retry), jitter drawn from {@code random}. */
    public Duration delay(int attempt, RandomGenerator random) {
        long d = ceiling(attempt).toMillis();
        long spread = (long) Math.floor(d * jitter);
        return Duration.ofMillis(d - spread + (spread > 0 ? random.nextLong(spread + 1) : 0));
    }
}
