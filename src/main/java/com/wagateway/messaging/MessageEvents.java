package com.wagateway.messaging;

import com.wagateway.database.MessageRow;
import java.util.List;

/**
 * Application events of the messaging layer, always published after the database commit that
 * made them true (the realtime layer forwards them to the dashboard). They carry stored rows.
 */
public final class MessageEvents {

    private MessageEvents() {
    }

    /**
     * New messages were stored (inbound, sent from the phone, or accepted by the API), or an
     * existing message changed content (edit, delete, decrypted later). {@code live} is false for
     * history sync rows.
     */
    public record Stored(String connectionId, List<MessageRow> messages, boolean live) {
    }

    /** One of our messages changed status ({@code sent}, {@code delivered}, {@code read}, {@code played}, {@code failed}). */
    public record StatusChanged(String connectionId, MessageRow message) {
    }
}
