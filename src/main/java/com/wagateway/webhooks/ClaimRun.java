package com.wagateway.webhooks;

import com.wagateway.webhooks.DeliveryRows.Attempt;
import com.wagateway.webhooks.DeliveryRows.Claim;
import com.wagateway.webhooks.DeliveryRows.ClaimResult;
import com.wagateway.webhooks.DeliveryRows.Delivery;
import com.wagateway.webhooks.DeliveryRows.EndpointUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sends one claimed connection's events, oldest first, with at most {@code inFlight} requests at
 * a time, and decides each outcome with the {@link RetryPolicy}.
 *
 * <p>Order rule: a retryable failure pauses the whole connection (its consecutive-failure count
 * grows, the backoff or {@code Retry-After} sets {@code paused_until}) and stops this run, so the
 * failed event is again the oldest due one when the pause ends and later events never overtake
 * it. A non-retryable answer fails only that event and the run goes on. The run also stops at
 * half the lease, so its results are always recorded before the lease could expire.
 */
final class ClaimRun {

    private final Claim claim;
    private final WebhookSender sender;
    private final RetryPolicy policy;
    private final int inFlight;
    private final long deadlineNanos;
    private final Consumer<ClaimResult> done;
    private final Deque<Delivery> todo;
    private final List<Attempt> attempts = new ArrayList<>();

    private int running;
    private boolean stopped;
    private boolean finished;
    private int failures;
    private Instant pausedUntil;
    private boolean succeeded;
    private boolean failed;

    ClaimRun(Claim claim, WebhookSender sender, RetryPolicy policy, int inFlight, long maxRunNanos,
             Consumer<ClaimResult> done) {
        this.claim = claim;
        this.sender = sender;
        this.policy = policy;
        this.inFlight = Math.max(1, inFlight);
        this.deadlineNanos = System.nanoTime() + maxRunNanos;
        this.done = done;
        this.todo = new ArrayDeque<>(claim.deliveries());
        this.failures = claim.failures();
    }

    /** Starts sending; the result is handed to {@code done} exactly once. */
    void start() {
        if (claim.url() == null || claim.secret() == null) {
            // the webhook was removed after these events were queued: nothing to send them to
            synchronized (this) {
                for (Delivery d : todo) {
                    attempts.add(new Attempt(d, null, d.attempts(), null, null, null, "webhook removed", "failed", null, false));
                }
                todo.clear();
            }
        }
        pump();
    }

    private void pump() {
        List<Delivery> launch = new ArrayList<>();
        synchronized (this) {
            while (running < inFlight && !stopped && !todo.isEmpty() && System.nanoTime() < deadlineNanos) {
                launch.add(todo.poll());
                running++;
            }
            if (running == 0 && launch.isEmpty()) {
                finish();
                return;
            }
        }
        for (Delivery d : launch) {
            sender.send(new WebhookSender.Request(d.eventId(), d.eventType(), claim.url(), claim.secret(), d.body()))
                    .thenAccept(r -> completed(d, r));
        }
    }

    private void completed(Delivery d, WebhookSender.Result r) {
        synchronized (this) {
            running--;
            attempts.add(decide(d, r, Instant.now()));
        }
        pump();
    }

    /** One attempt's outcome; updates the endpoint's failure count and pause (caller holds the lock). */
    private Attempt decide(Delivery d, WebhookSender.Result r, Instant now) {
        int attempt = d.attempts() + 1;
        RetryPolicy.Outcome outcome = r.permanent() ? RetryPolicy.Outcome.FAIL : RetryPolicy.classify(r.status());
        if (outcome == RetryPolicy.Outcome.DELIVERED) {
            failures = 0;
            pausedUntil = null;
            succeeded = true;
            return attempt(d, attempt, r, null, "delivered", null);
        }
        if (outcome == RetryPolicy.Outcome.FAIL) {
            if (r.status() != null) {
                failures = 0; // the endpoint is up and answered; retrying cannot change that answer
            }
            failed = true;
            return attempt(d, attempt, r, r.error(), "failed", null);
        }
        failures++;
        failed = true;
        stopped = true;
        Duration delay = policy.delay(failures, RetryPolicy.parseRetryAfter(r.retryAfter(), now));
        Instant next = now.plus(delay);
        pausedUntil = pausedUntil == null || next.isAfter(pausedUntil) ? next : pausedUntil;
        if (policy.expired(d.retrySince(), now)) {
            String why = (r.error() == null ? "" : r.error() + "; ") + "gave up: not delivered within WEBHOOK_MAX_RETRY_AGE";
            return attempt(d, attempt, r, why, "failed", null);
        }
        return attempt(d, attempt, r, r.error(), "retrying", next);
    }

    private Attempt attempt(Delivery d, int attempt, WebhookSender.Result r, String error, String state, Instant next) {
        return new Attempt(d, claim.url(), attempt, r.status(), r.body(), r.latencyMs(), error, state, next, false);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        done.accept(new ClaimResult(claim.connectionId(), List.copyOf(attempts),
                new EndpointUpdate(claim.connectionId(), failures, pausedUntil, succeeded, failed)));
    }

}
