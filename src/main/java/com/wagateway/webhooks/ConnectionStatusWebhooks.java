package com.wagateway.webhooks;

import com.wagateway.database.ConnectionRow;
import com.wagateway.services.ConnectionStatusOutbox;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Turns each stored connection-status change into a {@code connection.status} webhook event.
 * Guarantee (from {@link WebhookOutbox#enqueue}): the event is queued in the transaction that
 * wrote the status, so it exists exactly when the change was committed.
 */
@Component
class ConnectionStatusWebhooks implements ConnectionStatusOutbox {

    private final WebhookOutbox outbox;

    ConnectionStatusWebhooks(WebhookOutbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public void record(ConnectionRow row) {
        outbox.enqueue(List.of(event(row)));
    }

    /** {@code {"event":"connection.status","connection_id","status","reason","phone","timestamp"}}. */
    static WebhookEvent event(ConnectionRow r) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.CONNECTION_STATUS);
        p.put("connection_id", r.connectionId());
        p.put("status", r.status().wire());
        p.put("reason", r.reason());
        p.put("phone", r.phone());
        p.put("timestamp", r.statusChangedAt() == null ? null : r.statusChangedAt().toString());
        return new WebhookEvent(r.connectionId(), WebhookEventTypes.CONNECTION_STATUS, p);
    }
}
