package com.wagateway.realtime;

import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.messaging.MessageView;
import com.wagateway.webhooks.WebhookDeliveryChanged;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Forwards messaging and webhook events to the dashboard's sockets: {@code message.new} (a stored
 * message, inbound or outbound, live only — a history sync would flood the page),
 * {@code message.status} and {@code webhook.delivery}. The events are published after their
 * commit, so a socket never sees something the database does not hold.
 */
@Component
class MessageEventsRelay {

    private final RealtimeBroadcaster broadcaster;

    MessageEventsRelay(RealtimeBroadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    @EventListener
    void onStored(MessageEvents.Stored e) {
        if (!e.live()) {
            return;
        }
        for (MessageRow m : e.messages()) {
            broadcaster.emit(e.connectionId(), "message.new", MessageView.of(m));
        }
    }

    @EventListener
    void onStatus(MessageEvents.StatusChanged e) {
        MessageRow m = e.message();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connection_id", e.connectionId());
        p.put("message_id", m.id().toString());
        p.put("client_message_id", m.clientMessageId());
        p.put("provider_message_id", m.providerMessageId());
        p.put("status", m.status());
        p.put("error", m.error());
        broadcaster.emit(e.connectionId(), "message.status", p);
    }

    @EventListener
    void onDelivery(WebhookDeliveryChanged e) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connection_id", e.connectionId());
        p.put("event_id", e.eventId().toString());
        p.put("event_type", e.eventType());
        p.put("state", e.state());
        p.put("attempt", e.attempt());
        p.put("response_status", e.responseStatus());
        p.put("latency_ms", e.latencyMs());
        p.put("error", e.error());
        p.put("created_at", Instant.now().toString());
        broadcaster.emit(e.connectionId(), "webhook.delivery", p);
    }
}
