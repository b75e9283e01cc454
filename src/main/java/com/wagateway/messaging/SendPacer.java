package com.wagateway.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-connection send pace: a token bucket of {@code burst} sends refilled at
 * {@code perMinute} per minute, so a burst of API calls queues instead of hitting WhatsApp at
 * machine speed (fast bulk sending is what gets numbers banned). {@code perMinute} 0 = no limit.
 *
 * <p>Each connection may override the global pace (its {@code send_rate_per_minute} /
 * {@code send_burst} settings, issue 16 part 5): {@code paceOf} is asked at every call, so a
 * change applies to the next send; a smaller burst caps the tokens already saved.
 */
final class SendPacer {

    /** A connection's pace; a null field means the global value. */
    record Pace(Integer perMinute, Integer burst) {
        static final Pace GLOBAL = new Pace(null, null);
    }

    private final int defaultPerMinute;
    private final int defaultBurst;
    private final Function<String, Pace> paceOf;
    private final Map<String, double[]> buckets = new HashMap<>(); // {tokens, lastRefillMs}

    SendPacer(int perMinute, int burst) {
        this(perMinute, burst, id -> Pace.GLOBAL);
    }

    SendPacer(int perMinute, int burst, Function<String, Pace> paceOf) {
        this.defaultPerMinute = perMinute;
        this.defaultBurst = burst;
        this.paceOf = paceOf;
    }

    /** Takes one send now and returns 0, or returns how many milliseconds until one is free (nothing taken). */
    synchronized long tryAcquire(String connectionId, long nowMs) {
        double[] rate = rate(connectionId);
        if (rate[0] == 0) {
            return 0;
        }
        double[] b = refill(connectionId, nowMs, rate);
        if (b[0] >= 1) {
            b[0] -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - b[0]) / rate[0]);
    }

    /** Milliseconds until a send would be allowed, without taking it. */
    synchronized long waitFor(String connectionId, long nowMs) {
        double[] rate = rate(connectionId);
        if (rate[0] == 0) {
            return 0;
        }
        double[] b = refill(connectionId, nowMs, rate);
        return b[0] >= 1 ? 0 : (long) Math.ceil((1 - b[0]) / rate[0]);
    }

    /** {sends per millisecond (0 = unlimited), burst} for this connection now. */
    private double[] rate(String connectionId) {
        Pace p = paceOf.apply(connectionId);
        int perMinute = p == null || p.perMinute() == null ? defaultPerMinute : p.perMinute();
        int burst = p == null || p.burst() == null ? defaultBurst : p.burst();
        return new double[] {perMinute <= 0 ? 0 : perMinute / 60_000.0, Math.max(1, burst)};
    }

    private double[] refill(String connectionId, long nowMs, double[] rate) {
        double[] b = buckets.computeIfAbsent(connectionId, k -> new double[] {rate[1], nowMs});
        b[0] = Math.min(rate[1], b[0] + (nowMs - b[1]) * rate[0]);
        b[1] = nowMs;
        return b;
    }
}
