package com.wagateway.controllers.dto;

import com.wagateway.wire.NeverNull;
import com.wagateway.database.ChatRow;
import java.time.Instant;
import java.util.UUID;

/** A chat as the API shows it. */
public record ChatView(@NeverNull String chatJid, String name, String phone, boolean isGroup, UUID lastMessageId,
                       String lastMessageBody, String lastMessageDirection, Instant lastMessageAt, int unreadCount) {

    public static ChatView from(ChatRow c) {
        return new ChatView(c.chatJid(), c.name(), c.phone(), c.isGroup(), c.lastMessageId(), c.lastMessageBody(),
                c.lastMessageDirection(), c.lastMessageAt(), c.unreadCount());
    }
}
