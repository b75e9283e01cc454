package com.wagateway.realtime;

import com.wagateway.wire.ConnectionView;
import com.wagateway.wire.NeverNull;
import com.wagateway.wire.QrResponse;
import com.wagateway.messaging.MessageView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Socket.IO events the gateway pushes, each with its one payload type. {@link #PAYLOADS} is
 * the single list: the relays emit these names with these types, and the OpenAPI document lists
 * it under {@code x-realtime-events} (with the payload schemas), from which the dashboard's
 * {@code frontend/src/lib/realtime-events.ts} is checked. Three payloads are API bodies
 * (a connection, its QR, a message); the other two are declared here.
 */
public final class RealtimeEvents {

    public static final String CONNECTION_STATUS = "connection.status";
    public static final String CONNECTION_QR = "connection.qr";
    public static final String MESSAGE_NEW = "message.new";
    public static final String MESSAGE_STATUS = "message.status";
    public static final String WEBHOOK_DELIVERY = "webhook.delivery";
    public static final String MESSAGE_MEDIA = "message.media";
    /** A contact called (issue 16 part 5). */
    public static final String CALL = "call";
    /** A contact's presence: online/offline, typing or recording in a chat (issue 16 part 4). */
    public static final String PRESENCE_UPDATE = "presence.update";
    public static final String GROUP_PARTICIPANTS = "group.participants";
    public static final String GROUP_UPDATED = "group.updated";

    /** Event name → payload type, in a stable order. */
    public static final Map<String, Class<?>> PAYLOADS;

    static {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put(CONNECTION_STATUS, ConnectionView.class);
        m.put(CONNECTION_QR, QrResponse.class);
        m.put(MESSAGE_NEW, MessageView.class);
        m.put(MESSAGE_STATUS, MessageStatus.class);
        m.put(WEBHOOK_DELIVERY, WebhookDelivery.class);
        m.put(MESSAGE_MEDIA, com.wagateway.messaging.MediaView.class);
        m.put(CALL, com.wagateway.messaging.CallEvents.CallView.class);
        m.put(PRESENCE_UPDATE, Presence.class);
        m.put(GROUP_PARTICIPANTS, com.wagateway.messaging.GroupChanges.Participants.class);
        m.put(GROUP_UPDATED, com.wagateway.messaging.GroupChanges.Updated.class);
        PAYLOADS = java.util.Collections.unmodifiableMap(m);
    }

    private RealtimeEvents() {
    }

    /** {@code message.status}: one of our messages moved up its status order (or failed). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "MessageStatusEvent")
    public record MessageStatus(@NeverNull String connectionId, @NeverNull String messageId, String clientMessageId,
                                String providerMessageId, @NeverNull String status, String error) {
    }

    /** {@code webhook.delivery}: one delivery attempt ended ({@code state} is its outcome). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "WebhookDeliveryEvent")
    public record WebhookDelivery(@NeverNull String connectionId, @NeverNull String eventId, @NeverNull String eventType,
                                  @NeverNull String state, int attempt, Integer responseStatus, Long latencyMs,
                                  String error, @NeverNull String createdAt) {
    }

    /**
     * {@code presence.update}: a contact's presence ({@code available}, {@code unavailable}) or chat
     * state ({@code composing}, {@code recording}, {@code paused}) in {@code chat_jid}.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "PresenceEvent")
    public record Presence(@NeverNull String connectionId, @NeverNull String chatJid, @NeverNull String jid, String phone,
                           @NeverNull String state, String lastSeen) {
    }
}
