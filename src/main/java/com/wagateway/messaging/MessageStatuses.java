package com.wagateway.messaging;

/**
 * The order of outbound statuses, the same as the database's {@code message_status_rank} (V3):
 * queued &lt; sent = failed &lt; delivered &lt; read &lt; played.
 */
final class MessageStatuses {

    private MessageStatuses() {
    }

    static int rank(String status) {
        switch (status) {
            case "sent":
            case "failed":
                return 1;
            case "delivered":
                return 2;
            case "read":
                return 3;
            case "played":
                return 4;
            default:
                return 0;
        }
    }

    /** Statuses a receipt may set on one of our messages ({@code pending} is Baileys' "not yet acked"). */
    static boolean isOutboundStatus(String status) {
        return switch (status) {
            case "sent", "delivered", "read", "played", "failed" -> true;
            default -> false;
        };
    }
}
