package com.wagateway.webhooks;

import java.util.UUID;

/**
 * Published (Spring application event) after a delivery's new state is committed: after every
 * attempt and when an event expires. The realtime dashboard forwards it; nobody should block in it.
 *
 * @param state          {@code delivered}, {@code retrying} or {@code failed}
 * @param responseStatus the receiver's HTTP status, null when there was no answer
 * @param attempt        the attempt number (1 for the first), 0 when an event expired unsent
 * @param latencyMs      the attempt's duration, null when nothing was sent
 * @param error          why the attempt failed without an HTTP answer (e.g. {@code connection refused}), or
 *                       why the event ended ({@code webhook removed}, {@code gave up: ...}); null otherwise
 */
public record WebhookDeliveryChanged(String connectionId, UUID eventId, String eventType, String state,
                                     Integer responseStatus, int attempt, Long latencyMs, String error) {
}
