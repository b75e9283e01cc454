package com.wagateway.realtime;

import com.wagateway.database.MessageRow;
import com.wagateway.messaging.MessageEvents;
import com.wagateway.messaging.MessageView;
import com.wagateway.webhooks.WebhookDeliveryChanged;
import java.time.Instant;
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
            broadcaster.emit(e.connectionId(), RealtimeEvents.MESSAGE_NEW, MessageView.of(m));
        }
    }

    @EventListener
    void onStatus(MessageEvents.StatusChanged e) {
        MessageRow m = e.message();
        broadcaster.emit(e.connectionId(), RealtimeEvents.MESSAGE_STATUS, new RealtimeEvents.MessageStatus(e.connectionId(),
                m.id().toString(), m.clientMessageId(), m.providerMessageId(), m.status(), m.error()));
    }

    /** {@code message.media}: a message's file was stored (or could not be) after its message event. */
    @EventListener
    void onMedia(com.wagateway.messaging.MediaChanged e) {
        broadcaster.emit(e.connectionId(), RealtimeEvents.MESSAGE_MEDIA, com.wagateway.messaging.MediaView.of(e.media()));
    }

    @EventListener
    void onDelivery(WebhookDeliveryChanged e) {
        broadcaster.emit(e.connectionId(), RealtimeEvents.WEBHOOK_DELIVERY, new RealtimeEvents.WebhookDelivery(e.connectionId(),
                e.eventId().toString(), e.eventType(), e.state(), e.attempt(), e.responseStatus(), e.latencyMs(), e.error(),
                Instant.now().toString()));
    }

    /** Group changes (group.participants, group.updated), with the webhook's content. */
    @EventListener
    void onGroup(com.wagateway.messaging.GroupChanges.GroupEvent e) {
        broadcaster.emit(e.connectionId(), e.name(), e.payload());
    }
}
