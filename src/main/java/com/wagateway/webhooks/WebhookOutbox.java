package com.wagateway.webhooks;

import com.wagateway.shared.Json;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The only way events enter the webhook delivery queue ({@code webhook_deliveries}).
 *
 * <p>Guarantee: an event is queued in the caller's transaction, so it exists exactly when the
 * change it describes was committed (no event for a rolled-back change, no lost event for a
 * committed one); the dispatcher delivers it at least once, per connection in queue order.
 */
@Component
public class WebhookOutbox {

    private static final JsonMapper JSON = Json.MAPPER;

    private final JdbcClient jdbc;
    private final WebhookWakeup wakeup;

    public WebhookOutbox(JdbcClient jdbc, WebhookWakeup wakeup) {
        this.jdbc = jdbc;
        this.wakeup = wakeup;
    }

    /**
     * Joins the caller's transaction (JdbcClient on the Spring-managed DataSource); one batched
     * insert for the list, in list order; skips events of connections without a webhook URL or
     * filtered out by the connection's event filter. Returns how many were queued. The dispatcher
     * is woken after the commit.
     */
    public int enqueue(List<WebhookEvent> events) {
        if (events == null || events.isEmpty()) {
            return 0;
        }
        int n = events.size();
        String[] ids = new String[n];
        String[] connections = new String[n];
        String[] types = new String[n];
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            WebhookEvent e = events.get(i);
            ids[i] = UUID.randomUUID().toString();
            connections[i] = e.connectionId();
            types[i] = e.type();
            bodies[i] = JSON.writeValueAsString(e.payload());
        }
        int queued = jdbc.sql("""
                INSERT INTO webhook_deliveries (event_id, connection_id, event_type, body)
                SELECT e.event_id::uuid, e.connection_id, e.event_type, e.body
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                       AS e(event_id, connection_id, event_type, body, ord)
                JOIN connections c ON c.connection_id = e.connection_id
                WHERE c.webhook_url IS NOT NULL
                  AND (c.webhook_events IS NULL OR e.event_type = ANY (c.webhook_events))
                ORDER BY e.ord""")
                .params(ids, connections, types, bodies).update();
        if (queued > 0) {
            wakeup.wakeAfterCommit(java.util.Arrays.asList(connections));
        }
        return queued;
    }
}
