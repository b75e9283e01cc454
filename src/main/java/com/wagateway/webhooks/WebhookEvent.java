package com.wagateway.webhooks;

import java.util.Map;

/** An event to deliver; payload is the exact JSON body (includes "event" and "connection_id"). */
public record WebhookEvent(String connectionId, String type, Map<String, Object> payload) {
}
