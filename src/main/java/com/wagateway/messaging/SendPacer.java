package com.wagateway.messaging;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-connection send pace: a token bucket of {@code burst} sends refilled at
 * {@code perMinute} per minute, so a burst of API calls queues instead of hitting WhatsApp at
 * machine speed (fast bulk sending is what gets numbers banned). {@code perMinute} 0 = no limit.
 */
final class SendPacer {

    private final double perMs;
    private final double burst;
    private final Map<String, double[]> buckets = new HashMap<>(); // {tokens, lastRefillMs}

    SendPacer(int perMinute, int burst) {
        this.perMs = perMinute <= 0 ? 0 : perMinute / 60_000.0;
        this.burst = Math.max(1, burst);
    }

    boolean unlimited() {
        return perMs == 0;
    }

    /** Takes one send now and returns 0, or returns how many milliseconds until one is free (nothing taken). */
    synchronized long tryAcquire(String connectionId, long nowMs) {
        if (unlimited()) {
            return 0;
        }
        double[] b = refill(connectionId, nowMs);
        if (b[0] >= 1) {
            b[0] -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - b[0]) / perMs);
    }

    /** Milliseconds until a send would be allowed, without taking it. */
    synchronized long waitFor(String connectionId, long nowMs) {
        if (unlimited()) {
            return 0;
        }
        double[] b = refill(connectionId, nowMs);
        return b[0] >= 1 ? 0 : (long) Math.ceil((1 - b[0]) / perMs);
    }

    private double[] refill(String connectionId, long nowMs) {
        double[] b = buckets.computeIfAbsent(connectionId, k -> new double[] {burst, nowMs});
        b[0] = Math.min(burst, b[0] + (nowMs - b[1]) * perMs);
        b[1] = nowMs;
        return b;
    }
}
