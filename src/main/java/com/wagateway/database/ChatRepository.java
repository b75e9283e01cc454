package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.text;
import static com.wagateway.database.Sql.uuid;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code chats}, the current view of each conversation. Written in one batched statement
 * per batch of messages; a chat's last message only moves forward in time, so out-of-order
 * history chunks never replace a newer live message.
 */
@Repository
public class ChatRepository {

    private static final String COLUMNS = """
            connection_id, chat_jid, name, phone, is_group, last_message_id, last_message_body,
            last_message_direction, last_message_at, unread_count, updated_at""";

    private final JdbcClient jdbc;

    public ChatRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Applies one touch per chat (callers merge duplicates first: a row may change once per statement). */
    public void upsert(String connectionId, Collection<ChatTouch> touches) {
        if (touches.isEmpty()) {
            return;
        }
        int n = touches.size();
        String[][] c = new String[10][n];
        int i = 0;
        for (ChatTouch t : touches) {
            String[] v = {t.chatJid(), t.name(), t.phone(), Boolean.toString(t.isGroup()),
                    t.lastMessageId() == null ? null : t.lastMessageId().toString(), t.lastMessageBody(),
                    t.lastMessageDirection(), text(t.lastMessageAt()), Integer.toString(t.unreadDelta()),
                    t.unreadSet() == null ? null : t.unreadSet().toString()};
            for (int k = 0; k < v.length; k++) {
                c[k][i] = v[k];
            }
            i++;
        }
        List<Object> params = new ArrayList<>(List.of((Object[]) c)); // the CTE's arrays come first in the SQL
        params.add(connectionId);
        jdbc.sql("""
                WITH x AS (
                  SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                       ?::text[], ?::text[], ?::text[])
                    AS t(jid, name, phone, grp, mid, body, dir, at, unread_delta, unread_set))
                INSERT INTO chats AS ch (connection_id, chat_jid, name, phone, is_group, last_message_id, last_message_body,
                    last_message_direction, last_message_at, unread_count)
                SELECT ?, x.jid, x.name, x.phone, x.grp::boolean, x.mid::uuid, x.body, x.dir, x.at::timestamptz,
                    coalesce(x.unread_set::int, x.unread_delta::int)
                FROM x
                ON CONFLICT (connection_id, chat_jid) DO UPDATE SET
                    name = coalesce(excluded.name, ch.name),
                    phone = coalesce(excluded.phone, ch.phone),
                    last_message_id = CASE WHEN newer THEN excluded.last_message_id ELSE ch.last_message_id END,
                    last_message_body = CASE WHEN newer THEN excluded.last_message_body ELSE ch.last_message_body END,
                    last_message_direction = CASE WHEN newer THEN excluded.last_message_direction ELSE ch.last_message_direction END,
                    last_message_at = CASE WHEN newer THEN excluded.last_message_at ELSE ch.last_message_at END,
                    unread_count = CASE WHEN (SELECT x.unread_set FROM x WHERE x.jid = excluded.chat_jid) IS NOT NULL
                                        THEN excluded.unread_count ELSE ch.unread_count + excluded.unread_count END,
                    updated_at = now()"""
                .replace("newer", "(excluded.last_message_id IS NOT NULL AND excluded.last_message_at "
                        + ">= coalesce(ch.last_message_at, '-infinity'::timestamptz))"))
                .params(params).update();
    }

    /**
     * A group's subject names its chat: the chat row is created (no messages yet, unread 0) or
     * renamed. Group chats take no sender's name (InboundMessages.touches), so this is their only name.
     */
    public void nameGroup(String connectionId, String chatJid, String subject) {
        jdbc.sql("""
                INSERT INTO chats AS ch (connection_id, chat_jid, name, is_group, unread_count)
                VALUES (?, ?, ?, true, 0)
                ON CONFLICT (connection_id, chat_jid) DO UPDATE SET name = excluded.name, is_group = true, updated_at = now()
                WHERE ch.name IS DISTINCT FROM excluded.name""")
                .params(connectionId, chatJid, subject).update();
    }

    /** One page of chats, most recent first, strictly after the cursor when one is given. */
    public List<ChatRow> page(String connectionId, Instant beforeAt, String beforeJid, int limit) {
        if (beforeJid == null) {
            return jdbc.sql("SELECT " + COLUMNS + """
                             FROM chats WHERE connection_id = ?
                            ORDER BY last_message_at DESC NULLS LAST, chat_jid LIMIT ?""")
                    .params(connectionId, limit).query(MAPPER).list();
        }
        String at = beforeAt == null ? "-infinity" : text(beforeAt);
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM chats WHERE connection_id = ?
                          AND (coalesce(last_message_at, '-infinity'::timestamptz) < ?::timestamptz
                               OR (coalesce(last_message_at, '-infinity'::timestamptz) = ?::timestamptz AND chat_jid > ?))
                        ORDER BY last_message_at DESC NULLS LAST, chat_jid LIMIT ?""")
                .params(connectionId, at, at, beforeJid, limit).query(MAPPER).list();
    }

    public Optional<ChatRow> find(String connectionId, String chatJid) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM chats WHERE connection_id = ? AND chat_jid = ?")
                .params(connectionId, chatJid).query(MAPPER).optional();
    }

    /** A contact's message as WhatsApp names it: its id and its sender (the participant, in groups). */
    public record InboundKey(String providerMessageId, String fromJid) {
    }

    /**
     * The user read the chat: unread count back to zero, answering the count it had (empty when
     * there is no such chat). The row is locked while it changes, so two reads at once see the
     * count once: one gets it, the other 0.
     */
    public java.util.Optional<Integer> markReadCounting(String connectionId, String chatJid) {
        return jdbc.sql("""
                UPDATE chats ch SET unread_count = 0, updated_at = now()
                FROM (SELECT unread_count FROM chats WHERE connection_id = ? AND chat_jid = ? FOR UPDATE) old
                WHERE ch.connection_id = ? AND ch.chat_jid = ?
                RETURNING old.unread_count""")
                .params(connectionId, chatJid, connectionId, chatJid)
                .query((rs, n) -> rs.getInt(1)).optional();
    }

    /** The newest {@code limit} messages contacts sent in this chat (with a WhatsApp id), newest first. */
    public List<InboundKey> newestInbound(String connectionId, String chatJid, int limit) {
        return jdbc.sql("""
                SELECT provider_message_id, from_jid FROM messages
                WHERE connection_id = ? AND chat_jid = ? AND direction = 'inbound' AND provider_message_id IS NOT NULL
                ORDER BY wa_timestamp DESC NULLS LAST, created_at DESC LIMIT ?""")
                .params(connectionId, chatJid, limit)
                .query((rs, n) -> new InboundKey(rs.getString(1), rs.getString(2))).list();
    }

    /** The user read the chat: unread count back to zero. False when there is no such chat. */
    public boolean markRead(String connectionId, String chatJid) {
        return jdbc.sql("UPDATE chats SET unread_count = 0, updated_at = now() WHERE connection_id = ? AND chat_jid = ?")
                .params(connectionId, chatJid).update() == 1;
    }

    /**
     * Claims the one on-demand history request a chat gets: true only for the first caller, so a
     * chat is never asked for twice (even when the phone answers with fewer messages).
     */
    public boolean claimHistoryRequest(String connectionId, String chatJid) {
        return jdbc.sql("""
                UPDATE chats SET history_requested_at = now()
                WHERE connection_id = ? AND chat_jid = ? AND history_requested_at IS NULL""")
                .params(connectionId, chatJid).update() == 1;
    }

    private static final RowMapper<ChatRow> MAPPER = (rs, n) -> new ChatRow(rs.getString("connection_id"),
            rs.getString("chat_jid"), rs.getString("name"), rs.getString("phone"), rs.getBoolean("is_group"),
            uuid(rs, "last_message_id"), rs.getString("last_message_body"), rs.getString("last_message_direction"),
            instant(rs, "last_message_at"), rs.getInt("unread_count"), instant(rs, "updated_at"));
}
