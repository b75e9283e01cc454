package com.wagateway.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Rows the dispatcher works with (package-private data, never serialized to clients). */
final class DeliveryRows {

    private DeliveryRows() {
    }

    /** One queued event as claimed. {@code retrySince} starts the max-retry-age clock. */
    record Delivery(long id, UUID eventId, String connectionId, String eventType, String body, int attempts,
                    Instant retrySince) {
    }

    /**
     * A connection's queue claimed by this instance: the URL and secret as they are now (the
     * latest settings apply to queued events), the endpoint's consecutive failures, and its
     * oldest due events in order. {@code url} is null when the webhook was removed meanwhile.
     */
    record Claim(String connectionId, String url, String secret, int failures, List<Delivery> deliveries) {
    }

    /** The outcome of one attempt, as it is logged and applied to the delivery row. */
    record Attempt(Delivery delivery, String url, int attempt, Integer status, String responseBody, Long latencyMs,
                   String error, String state, Instant nextAttemptAt, boolean test) {
    }

    /** The endpoint's state after a claim's attempts; the lease is released with it. */
    record EndpointUpdate(String connectionId, int failures, Instant pausedUntil, boolean succeeded, boolean failed) {
    }

    /** Everything one finished claim writes back, in one transaction with other finished claims. */
    record ClaimResult(String connectionId, List<Attempt> attempts, EndpointUpdate endpoint) {
    }
}
