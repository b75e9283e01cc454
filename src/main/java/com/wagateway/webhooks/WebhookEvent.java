package com.wagateway.webhooks;

import java.util.Map;

/**
 * One event for a connection's webhook, as other code hands it to {@link WebhookOutbox#enqueue}.
 *
 * @param connectionId the connection whose webhook receives it
 * @param type         one of {@link WebhookEventTypes#ALL} (or {@code webhook.test}); sent as {@code X-Webhook-Event}
 * @param payload      the exact JSON body (includes {@code "event"} and {@code "connection_id"}); values must be
 *                     JSON-friendly (strings, numbers, booleans, maps, lists, null; times as ISO-8601 strings)
 */
public record WebhookEvent(String connectionId, String type, Map<String, Object> payload) {
}
