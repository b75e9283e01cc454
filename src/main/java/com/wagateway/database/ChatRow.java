package com.wagateway.database;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code chats}: a conversation of a connection with its latest message. */
public record ChatRow(
        String connectionId,
        String chatJid,
        String name,
        String phone,
        boolean isGroup,
        UUID lastMessageId,
        String lastMessageBody,
        String lastMessageDirection,
        Instant lastMessageAt,
        int unreadCount,
        Instant updatedAt) {
}
