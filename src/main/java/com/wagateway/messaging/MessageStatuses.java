package com.wagateway.messaging;

import java.util.List;

/**
 * The one order of outbound message statuses: queued &lt; sent &lt; failed &lt; delivered &lt;
 * read &lt; played. A status only ever moves up it, so a late receipt never undoes a later one,
 * {@code failed} ends a queued or sent message, and a receipt after a failure (proof of delivery)
 * lifts it. The database's {@code message_status_rank} (V8) and the dashboard's
 * {@code frontend/src/lib/message-status-order.json} hold the same order;
 * {@code MessageStatusOrderIntegrationTest} fails if they drift apart.
 */
public final class MessageStatuses {

    /** Lowest first; the index is the rank. */
    public static final List<String> ORDER = List.of("queued", "sent", "failed", "delivered", "read", "played");

    private MessageStatuses() {
    }

    /** The status's place in {@link #ORDER}; anything else (received, unknown, null) ranks 0, like queued. */
    public static int rank(String status) {
        return status == null ? 0 : Math.max(0, ORDER.indexOf(status));
    }

    /** Statuses a receipt may set on one of our messages ({@code pending} is Baileys' "not yet acked"). */
    static boolean isOutboundStatus(String status) {
        return rank(status) >= rank("sent");
    }
}
