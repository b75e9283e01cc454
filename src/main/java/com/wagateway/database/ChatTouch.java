package com.wagateway.database;

import java.time.Instant;
import java.util.UUID;

/**
 * What a batch of messages (or a history chat entry) tells about one chat. At most one per chat
 * per batch: the caller merges them (latest message wins, unread counts add up).
 *
 * @param unreadDelta added to the unread count (inbound live messages)
 * @param unreadSet   when not null, replaces the unread count (history gives the phone's count)
 */
public record ChatTouch(String chatJid, String name, String phone, boolean isGroup, UUID lastMessageId,
                        String lastMessageBody, String lastMessageDirection, Instant lastMessageAt,
                        int unreadDelta, Integer unreadSet) {

    /** Merges two touches of the same chat: the later message wins, unread counts add up. */
    public ChatTouch merge(ChatTouch o) {
        boolean newer = o.lastMessageAt != null && (lastMessageAt == null || !o.lastMessageAt.isBefore(lastMessageAt));
        ChatTouch last = newer ? o : this;
        return new ChatTouch(chatJid, o.name != null ? o.name : name, o.phone != null ? o.phone : phone, isGroup,
                last.lastMessageId, last.lastMessageBody, last.lastMessageDirection, last.lastMessageAt,
                unreadDelta + o.unreadDelta, o.unreadSet != null ? o.unreadSet : unreadSet);
    }
}
