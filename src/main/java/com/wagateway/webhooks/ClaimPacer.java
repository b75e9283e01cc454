package com.wagateway.webhooks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides which connections the claimer leaves out of a claim round for now, so that a connection
 * whose events keep coming has several of them sent per claim instead of one.
 *
 * <p>Why: every claim and every recorded claim is a transaction (the lease, the due events, the
 * logs, the delivery states), whatever the number of events it carries. Claiming a connection
 * again the moment its previous claim was recorded made nearly every event pay for two
 * transactions of its own: 1.6 events per claim in the inbound benchmark, where webhooks then cost
 * as much CPU as the messages they report (docs/benchmarks.md; docs/decisions.md, "Webhook
 * claims are paced per connection").
 *
 * <p>Guarantees: a connection claimed with less than a whole batch rests for {@code interval}
 * from that claim, so its events queued meanwhile go out together in its next claim, at most
 * {@code interval} later than they would have; a connection not claimed within the last
 * {@code interval} (a lone event, a quiet connection) is never held back, and one whose claim took
 * a whole batch (a backlog) is claimed again at once. Only this instance's claimer holds a
 * connection back; the state is in memory and bounded by the connections claimed within the last
 * interval. Not thread-safe: the claimer thread alone uses it.
 */
final class ClaimPacer {

    private static final String[] NONE = new String[0];

    private final long intervalNanos;
    private final Map<String, Long> restingUntil = new HashMap<>();

    ClaimPacer(Duration interval) {
        this.intervalNanos = Math.max(0, interval.toNanos());
    }

    /** Records a claim of {@code connectionId} at {@code now}; {@code full}: it took a whole batch. */
    void claimed(String connectionId, boolean full, long now) {
        if (full || intervalNanos == 0) {
            restingUntil.remove(connectionId);
        } else {
            restingUntil.put(connectionId, now + intervalNanos);
        }
    }

    /** The connections still resting at {@code now} (those whose rest ended are forgotten). */
    String[] resting(long now) {
        restingUntil.values().removeIf(until -> until - now <= 0);
        return restingUntil.isEmpty() ? NONE : restingUntil.keySet().toArray(NONE);
    }

    /** True when every one of {@code connectionIds} is still resting at {@code now}. */
    boolean allResting(java.util.Collection<String> connectionIds, long now) {
        for (String id : connectionIds) {
            Long until = restingUntil.get(id);
            if (until == null || until - now <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Nanoseconds from {@code now} until the first rest ends; -1 when nobody rests. */
    long untilFirstRestEnds(long now) {
        long first = -1;
        for (long until : restingUntil.values()) {
            long left = Math.max(0, until - now);
            first = first < 0 ? left : Math.min(first, left);
        }
        return first;
    }
}
