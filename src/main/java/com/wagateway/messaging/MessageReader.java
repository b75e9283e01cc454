package com.wagateway.messaging;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.ChatRow;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRow;
import com.wagateway.domain.Caller;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionService;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * The read API: chats, a chat's messages, one message by {@code client_message_id}. Owner-scoped
 * through {@link ConnectionService#get} (a foreign connection is "not found"); pages are keyset
 * cursors (opaque strings), stable while new messages arrive.
 */
@Service
public class MessageReader {

    static final int MAX_LIMIT = 200;
    private static final Pattern CHAT_JID = Pattern.compile("^[0-9A-Za-z._:-]{1,64}@(s\\.whatsapp\\.net|g\\.us|lid|broadcast|newsletter)$");

    private final ConnectionService connections;
    private final ChatRepository chats;
    private final MessageRepository messages;
    private final ReadReceipts receipts;

    public MessageReader(ConnectionService connections, ChatRepository chats, MessageRepository messages, ReadReceipts receipts) {
        this.connections = connections;
        this.chats = chats;
        this.messages = messages;
        this.receipts = receipts;
    }

    /** A page of items and the cursor of the next (older) page, or null at the end. */
    public record Page<T>(List<T> items, String nextCursor) {
    }

    public Page<ChatRow> chats(Caller caller, String connectionId, String before, Integer limit) {
        connections.get(connectionId, caller);
        int n = limit(limit);
        String[] cursor = before == null ? null : decode(before, 2);
        Instant at;
        try {
            at = cursor == null || cursor[0].isEmpty() ? null : Instant.parse(cursor[0]);
        } catch (java.time.DateTimeException e) {
            throw badCursor();
        }
        List<ChatRow> rows = chats.page(connectionId, at, cursor == null ? null : cursor[1], n);
        String next = rows.size() < n ? null : encode(text(rows.get(rows.size() - 1).lastMessageAt()),
                rows.get(rows.size() - 1).chatJid());
        return new Page<>(rows, next);
    }

    public Page<MessageView> messages(Caller caller, String connectionId, String chatJid, String before, Integer limit) {
        connections.get(connectionId, caller);
        requireChat(chatJid);
        int n = limit(limit);
        String[] cursor = before == null ? null : decode(before, 2);
        List<MessageRow> rows;
        try {
            rows = messages.page(connectionId, chatJid, cursor == null ? null : Instant.parse(cursor[0]),
                    cursor == null ? null : UUID.fromString(cursor[1]), n);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw badCursor();
        }
        String next = rows.size() < n ? null : encode(rows.get(rows.size() - 1).sortAt().toString(),
                rows.get(rows.size() - 1).id().toString());
        return new Page<>(rows.stream().map(MessageView::of).toList(), next);
    }

    public MessageView byClientId(Caller caller, String connectionId, String clientMessageId) {
        connections.get(connectionId, caller);
        return messages.findByClientId(connectionId, clientMessageId).map(MessageView::of)
                .orElseThrow(() -> new ApiException.NotFound("message_not_found",
                        "no message with client_message_id '" + clientMessageId + "' on '" + connectionId + "'"));
    }

    /**
     * Resets a chat's unread count (the dashboard opened it) and, when the connection's
     * {@code send_read_receipts} is on, sends WhatsApp read receipts for the messages that were
     * unread. Answers how many receipts were sent.
     */
    public int markRead(Caller caller, String connectionId, String chatJid) {
        connections.get(connectionId, caller);
        requireChat(chatJid);
        int unread = chats.markReadCounting(connectionId, chatJid)
                .orElseThrow(() -> new ApiException.NotFound("chat_not_found", "no chat '" + chatJid + "' on '" + connectionId + "'"));
        return receipts.send(connectionId, chatJid, unread);
    }

    private static void requireChat(String chatJid) {
        if (chatJid == null || !CHAT_JID.matcher(chatJid).matches()) {
            throw new ApiException.InvalidInput("invalid_chat", "chat", "chat must be a chat JID such as 923001112233@s.whatsapp.net");
        }
    }

    private static int limit(Integer limit) {
        if (limit == null) {
            return 50;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException.InvalidInput("invalid_limit", "limit", "limit must be 1-" + MAX_LIMIT);
        }
        return limit;
    }

    private static String text(Instant t) {
        return t == null ? "" : t.toString();
    }

    private static String encode(String a, String b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((a + "|" + b).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor, int parts) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] p = s.split("\\|", -1);
            if (p.length != parts || s.indexOf('\u0000') >= 0) { // NUL: not ours, and PostgreSQL refuses it
                throw badCursor();
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static ApiException badCursor() {
        return new ApiException.InvalidInput("invalid_cursor", "before", "before must be a next_cursor returned by this API");
    }
}
