package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.intOrNull;
import static com.wagateway.database.Sql.longOrNull;
import static com.wagateway.database.Sql.text;
import static com.wagateway.database.Sql.ts;
import static com.wagateway.database.Sql.uuid;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code messages}: reads for the API, the send queue, receipts, edits and the status
 * rule (engine messages are inserted by {@link MessageInserts}, queued sends by {@link QueuedInserts}). Batches go to PostgreSQL as
 * arrays through {@code unnest}, so a batch of any size is one round trip.
 *
 * <p>Guarantees: a status only moves to a higher {@code message_status_rank} (V8: queued &lt; sent
 * &lt; failed &lt; delivered &lt; read &lt; played), so {@code failed} only ends a queued or sent message.
 */
@Repository
public class MessageRepository {

    static final String COLUMNS = """
            m.id, m.connection_id, m.direction, m.chat_jid, m.from_jid, m.to_jid, m.from_phone, m.to_phone,
            m.body, m.type, m.client_message_id, m.provider_message_id, m.quoted_message_id, m.quoted_provider_id,
            q.client_message_id AS reply_client_id, q.provider_message_id AS reply_provider_id,
            m.status, m.error, m.wa_timestamp, m.push_name, m.caption, m.mime_type, m.file_length, m.file_name,
            m.attempts, m.next_attempt_at, m.expires_at, m.sent_at, m.edited_at, m.revoked_at, m.from_history,
            m.sort_at, m.created_at, m.updated_at, m.request_hash, m.sanitized, m.details::text AS details,
            m.media_state, m.media_error, m.media_sha256, m.media_duration, m.media_width, m.media_height""";
    static final String FROM = " FROM messages m LEFT JOIN messages q ON q.id = m.quoted_message_id AND q.direction = 'outbound' ";
    /**
     * The same columns straight from an UPDATE (a SELECT after a data-modifying CTE would read the
     * statement's old snapshot, so changed rows are returned by RETURNING itself).
     */
    static final String RETURNING = " RETURNING " + COLUMNS.replace(
            "q.client_message_id AS reply_client_id, q.provider_message_id AS reply_provider_id",
            "(SELECT q.client_message_id FROM messages q WHERE q.id = m.quoted_message_id AND q.direction = 'outbound') AS reply_client_id, "
            + "(SELECT q.provider_message_id FROM messages q WHERE q.id = m.quoted_message_id AND q.direction = 'outbound') AS reply_provider_id");

    /** Allowed when the new status ranks higher (the one order, V8). */
    private static final String ADVANCES = """
            (message_status_rank(%1$s) > message_status_rank(m.status))""";

    /**
     * Locks the matching message rows in id order (the end of a CTE named {@code locked}). Every
     * statement that updates several messages at once takes its locks this way, so two of them
     * (the send dispatcher recording a pass, the inbound pipeline applying receipts) can wait for
     * each other but never deadlock.
     */
    private static final String LOCK_IN_ID_ORDER = "SELECT id FROM messages WHERE %s ORDER BY id FOR UPDATE)\n";

    private final JdbcClient jdbc;

    public MessageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<MessageRow> findByClientId(String connectionId, String clientMessageId) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + "WHERE m.connection_id = ? AND m.client_message_id = ?")
                .params(connectionId, clientMessageId).query(MAPPER).optional();
    }

    /**
     * One of this connection's messages by WhatsApp id (the newest when, rarely, the same id was
     * seen in two chats).
     */
    public Optional<MessageRow> findByProviderId(String connectionId, String providerMessageId) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + """
                        WHERE m.connection_id = ? AND m.provider_message_id = ? ORDER BY m.created_at DESC LIMIT 1""")
                .params(connectionId, providerMessageId).query(MAPPER).optional();
    }

    public Optional<MessageRow> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + "WHERE m.id = ?").param(id).query(MAPPER).optional();
    }

    /**
     * The message a {@code reply_to} names in this chat: by {@code client_message_id} first, else
     * by WhatsApp id.
     */
    public Optional<MessageRow> findInChat(String connectionId, String chatJid, String ref) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + """
                        WHERE m.connection_id = ? AND m.chat_jid = ? AND (m.client_message_id = ? OR m.provider_message_id = ?)
                        ORDER BY (m.client_message_id = ?) DESC NULLS LAST LIMIT 1""")
                .params(connectionId, chatJid, ref, ref, ref).query(MAPPER).optional();
    }

    /**
     * Queued outbound messages of a connection in arrival order (the send queue's head), up to
     * {@code limit}, leaving out {@code excluded} (the sends in flight) and, when {@code after} is
     * given, starting after it (keyset paging on the queue index's {@code (created_at, id)}).
     */
    public List<QueuedMessage> findQueued(String connectionId, Collection<UUID> excluded, QueuedMessage after, int limit) {
        List<Object> params = new ArrayList<>(List.of(connectionId, excluded.toArray(UUID[]::new)));
        if (after != null) {
            params.add(ts(after.createdAt()));
            params.add(after.id());
        }
        params.add(limit);
        return jdbc.sql(QueueSql.findQueued(after != null))
                .params(params)
                .query((rs, n) -> new QueuedMessage(uuid(rs, "id"), rs.getString("chat_jid"), rs.getString("to_jid"),
                        rs.getString("provider_message_id"), uuid(rs, "quoted_message_id"), rs.getInt("attempts"),
                        instant(rs, "next_attempt_at"), instant(rs, "expires_at"), instant(rs, "created_at")))
                .list();
    }

    /**
     * What to send for each of these queued messages (by id); messages no longer queued are absent.
     * The status is checked on the rows read, not in the WHERE clause: the WHERE names only the
     * primary key, so no partial index on queued rows can be chosen for it (with statistics taken
     * while the queue was short, one was, and each call filtered the whole backlog: issue 18).
     */
    public Map<UUID, String> findOutgoing(List<UUID> ids) {
        Map<UUID, String> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql(QueueSql.FIND_OUTGOING)
                .param(ids.toArray(UUID[]::new))
                .query(rs -> {
                    if (rs.getBoolean("queued")) {
                        out.put(uuid(rs, "id"), rs.getString("outgoing"));
                    }
                });
        return out;
    }

    /** The quoted message's key parts and stored content, for a quoted send. */
    public Optional<QuotedKey> findQuotedKey(UUID id) {
        return jdbc.sql("""
                SELECT provider_message_id, chat_jid, direction, from_jid, content::text AS content
                FROM messages WHERE id = ?""")
                .param(id)
                .query((rs, n) -> new QuotedKey(rs.getString("provider_message_id"), rs.getString("chat_jid"),
                        "outbound".equals(rs.getString("direction")), rs.getString("from_jid"), rs.getString("content")))
                .optional();
    }

    /**
     * WhatsApp accepted these sends (the results of one dispatcher pass, one statement): status
     * {@code sent} (unless a receipt already moved a message further), the sent content kept for
     * getMessage, the pending payload dropped. A message the TTL sweep failed meanwhile becomes
     * {@code sent} too: WhatsApp has it, so that is the truth. Returns the changed rows.
     */
    public List<MessageRow> markSent(List<SentUpdate> sent) {
        if (sent.isEmpty()) {
            return List.of();
        }
        int n = sent.size();
        UUID[] ids = new UUID[n];
        String[] contents = new String[n];
        String[] stamps = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = sent.get(i).id();
            contents[i] = sent.get(i).contentJson();
            stamps[i] = text(sent.get(i).waTimestamp());
        }
        return jdbc.sql("""
                WITH x AS (SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[]) AS x(id, content, ts)),
                     locked AS (""" + LOCK_IN_ID_ORDER.formatted("id IN (SELECT id FROM x)") + """
                UPDATE messages m SET status = CASE WHEN m.status IN ('queued', 'failed') THEN 'sent' ELSE m.status END,
                  content = x.content::jsonb, outgoing = NULL, error = NULL, next_attempt_at = NULL,
                  attempts = CASE WHEN m.status IN ('queued', 'failed') THEN m.attempts + 1 ELSE m.attempts END,
                  sent_at = now(), wa_timestamp = coalesce(x.ts::timestamptz, m.wa_timestamp, now()), updated_at = now()
                FROM x JOIN locked l ON l.id = x.id
                WHERE m.id = x.id""" + RETURNING)
                .params(ids, contents, stamps).query(MAPPER).list();
    }

    /** A send attempt failed transiently: count it and wait until {@code nextAttemptAt}. */
    public void markRetry(UUID id, String error, Instant nextAttemptAt) {
        jdbc.sql(QueueSql.MARK_RETRY)
                .params(error, ts(nextAttemptAt), id).update();
    }

    /** Ends a queued message as {@code failed} with a reason; empty if it was no longer queued. */
    public Optional<MessageRow> markFailed(UUID id, String error, boolean countAttempt) {
        return jdbc.sql(QueueSql.MARK_FAILED + RETURNING)
                .params(error, countAttempt ? 1 : 0, id).query(MAPPER).optional();
    }

    /** Every queued message whose time to live has passed becomes {@code failed}; returns them. */
    public List<MessageRow> expireQueued(Instant now) {
        return jdbc.sql(QueueSql.EXPIRE_QUEUED + RETURNING)
                .param(ts(now)).query(MAPPER).list();
    }

    /**
     * Connections that have a queued message due now and are {@code ready}. Per ready connection
     * it stops at the first due message (the queue index, oldest first), so its cost follows the
     * number of connections, not the length of their queues (a DISTINCT over every queued row took
     * 19 ms per call with a backlog of thousands: docs/benchmarks.md).
     */
    public List<String> connectionsWithDueMessages(Instant now) {
        return jdbc.sql(QueueSql.CONNECTIONS_WITH_DUE)
                .param(ts(now)).query(String.class).list();
    }

    /**
     * A receipt for a message still {@code queued}: an attempt reached WhatsApp but its outcome was
     * lost (a crash between the server ack and the commit). That attempt is recorded as if
     * {@code markSent} had run — counted, {@code sent_at} set, the outgoing content dropped — so the
     * row is complete and the dispatcher never sends it again.
     */
    private static final String REACHED_WHATSAPP = " m.status = 'queued' AND x.status IN ('delivered', 'read', 'played')";

    /**
     * Applies receipts to our messages, matched by WhatsApp id only (receipts may name the chat in
     * LID form). Each id should appear once (the caller keeps the highest status per id). Returns
     * the rows whose status actually changed. A {@code failed} never ends a {@code queued} message:
     * while queued only the send dispatcher decides its failure (from the send's own reply, which
     * it retries when transient); a WhatsApp error reported beside that reply is the same refusal.
     */
    public List<MessageRow> applyStatuses(String connectionId, List<StatusUpdate> updates) {
        if (updates.isEmpty()) {
            return List.of();
        }
        String[] ids = new String[updates.size()];
        String[] statuses = new String[updates.size()];
        String[] errors = new String[updates.size()];
        for (int i = 0; i < updates.size(); i++) {
            ids[i] = updates.get(i).providerMessageId();
            statuses[i] = updates.get(i).status();
            errors[i] = updates.get(i).error();
        }
        return jdbc.sql("""
                WITH x AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) AS x(pid, status, error)),
                     locked AS (""" + LOCK_IN_ID_ORDER.formatted(
                        "connection_id = ? AND direction = 'outbound' AND provider_message_id IN (SELECT pid FROM x)") + """
                UPDATE messages m SET status = x.status, updated_at = now(),
                  error = CASE WHEN x.status = 'failed' THEN coalesce(x.error, 'failed') ELSE NULL END,
                  attempts = CASE WHEN """ + REACHED_WHATSAPP + """
                    THEN m.attempts + 1 ELSE m.attempts END,
                  sent_at = CASE WHEN """ + REACHED_WHATSAPP + """
                    THEN coalesce(m.sent_at, now()) ELSE m.sent_at END,
                  outgoing = CASE WHEN """ + REACHED_WHATSAPP + """
                    THEN NULL ELSE m.outgoing END,
                  next_attempt_at = CASE WHEN """ + REACHED_WHATSAPP + """
                    THEN NULL ELSE m.next_attempt_at END
                FROM x, locked l
                WHERE m.id = l.id AND m.provider_message_id = x.pid
                  AND NOT (m.status = 'queued' AND x.status = 'failed')
                  AND """ + ADVANCES.formatted("x.status") + RETURNING)
                .params(ids, statuses, errors, connectionId).query(MAPPER).list();
    }

    /** An edit: the target (by WhatsApp id) now reads {@code text}. Returns the edited row. */
    public Optional<MessageRow> applyEdit(String connectionId, String providerMessageId, String text, String contentJson) {
        return jdbc.sql("""
                UPDATE messages m SET body = ?, content = coalesce(?::jsonb, content), edited_at = now(), updated_at = now()
                WHERE connection_id = ? AND provider_message_id = ?""" + RETURNING)
                .params(text, contentJson, connectionId, providerMessageId).query(MAPPER).list().stream().findFirst();
    }

    /** Deleted for everyone: the row stays (with its text) and is marked revoked. */
    public Optional<MessageRow> applyRevoke(String connectionId, String providerMessageId) {
        return jdbc.sql("""
                UPDATE messages m SET revoked_at = coalesce(revoked_at, now()), updated_at = now()
                WHERE connection_id = ? AND provider_message_id = ?""" + RETURNING)
                .params(connectionId, providerMessageId).query(MAPPER).list().stream().findFirst();
    }

    /** Our poll a vote was recorded on: its ids, chat and question. */
    public record VotedPoll(UUID id, String clientMessageId, String providerMessageId, String chatJid, String name) {
    }

    /**
     * Records one voter's current choice on our poll ({@code details.votes[voter] = options}, a
     * later vote of the same voter replaces it, as on WhatsApp). Empty when the poll is not one
     * of this connection's own messages.
     */
    public Optional<VotedPoll> recordPollVote(String connectionId, String pollProviderId, String voter, String optionsJson) {
        return jdbc.sql("""
                UPDATE messages m SET details = jsonb_set(coalesce(m.details, '{}'::jsonb), '{votes}',
                        coalesce(m.details->'votes', '{}'::jsonb) || jsonb_build_object(?::text, ?::jsonb)), updated_at = now()
                WHERE m.connection_id = ? AND m.provider_message_id = ? AND m.direction = 'outbound'
                RETURNING m.id, m.client_message_id, m.provider_message_id, m.chat_jid, m.details->>'name' AS name""")
                .params(voter, optionsJson, connectionId, pollProviderId)
                .query((rs, n) -> new VotedPoll(uuid(rs, "id"), rs.getString("client_message_id"), rs.getString("provider_message_id"),
                        rs.getString("chat_jid"), rs.getString("name")))
                .list().stream().findFirst();
    }

    /** The stored WhatsApp content of one of this connection's messages (for Baileys' getMessage). */
    public Optional<String> findContent(String connectionId, String providerMessageId) {
        return jdbc.sql("""
                SELECT content::text FROM messages WHERE connection_id = ? AND provider_message_id = ? AND content IS NOT NULL
                ORDER BY (direction = 'outbound') DESC LIMIT 1""")
                .params(connectionId, providerMessageId).query(String.class).optional();
    }

    /** One page of a chat, newest first, strictly before the cursor when one is given. */
    public List<MessageRow> page(String connectionId, String chatJid, Instant beforeAt, UUID beforeId, int limit) {
        if (beforeAt == null) {
            return jdbc.sql("SELECT " + COLUMNS + FROM + """
                            WHERE m.connection_id = ? AND m.chat_jid = ? ORDER BY m.sort_at DESC, m.id DESC LIMIT ?""")
                    .params(connectionId, chatJid, limit).query(MAPPER).list();
        }
        return jdbc.sql("SELECT " + COLUMNS + FROM + """
                        WHERE m.connection_id = ? AND m.chat_jid = ? AND (m.sort_at, m.id) < (?, ?)
                        ORDER BY m.sort_at DESC, m.id DESC LIMIT ?""")
                .params(connectionId, chatJid, ts(beforeAt), beforeId, limit).query(MAPPER).list();
    }

    /**
     * History keeps the newest {@code keep} messages per chat: older history rows of these chats
     * are deleted (live messages are never pruned).
     */
    public int pruneHistory(String connectionId, List<String> chatJids, int keep) {
        if (chatJids.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                DELETE FROM messages WHERE id IN (
                  SELECT id FROM (
                    SELECT id, from_history, row_number() OVER (PARTITION BY chat_jid ORDER BY sort_at DESC, id DESC) AS rn
                    FROM messages WHERE connection_id = ? AND chat_jid = ANY(?::text[])) r
                  WHERE r.rn > ? AND r.from_history)""")
                .params(connectionId, chatJids.toArray(String[]::new), keep).update();
    }

    /** Per chat: how many messages are stored and the oldest one's key (for on-demand history). */
    public List<ChatFill> fillOf(String connectionId, List<String> chatJids) {
        if (chatJids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                SELECT DISTINCT ON (chat_jid) chat_jid, count(*) OVER (PARTITION BY chat_jid) AS n,
                    provider_message_id, direction = 'outbound' AS from_me, wa_timestamp
                FROM messages WHERE connection_id = ? AND chat_jid = ANY(?::text[]) AND provider_message_id IS NOT NULL
                ORDER BY chat_jid, sort_at ASC, id ASC""")
                .params(connectionId, chatJids.toArray(String[]::new))
                .query((rs, i) -> new ChatFill(rs.getString("chat_jid"), rs.getInt("n"), rs.getString("provider_message_id"),
                        rs.getBoolean("from_me"), instant(rs, "wa_timestamp")))
                .list();
    }

    /** Columns of {@link #COLUMNS} to a row. */
    static final RowMapper<MessageRow> MAPPER = (rs, n) -> new MessageRow(
            uuid(rs, "id"), rs.getString("connection_id"), rs.getString("direction"), rs.getString("chat_jid"),
            rs.getString("from_jid"), rs.getString("to_jid"), rs.getString("from_phone"), rs.getString("to_phone"),
            rs.getString("body"), rs.getString("type"), rs.getString("client_message_id"),
            rs.getString("provider_message_id"), uuid(rs, "quoted_message_id"), rs.getString("quoted_provider_id"),
            rs.getString("reply_client_id"), rs.getString("reply_provider_id"), rs.getString("status"),
            rs.getString("error"), instant(rs, "wa_timestamp"), rs.getString("push_name"), rs.getString("caption"),
            rs.getString("mime_type"), longOrNull(rs, "file_length"), rs.getString("file_name"), rs.getInt("attempts"),
            instant(rs, "next_attempt_at"), instant(rs, "expires_at"), instant(rs, "sent_at"), instant(rs, "edited_at"),
            instant(rs, "revoked_at"), rs.getBoolean("from_history"), instant(rs, "sort_at"), instant(rs, "created_at"),
            instant(rs, "updated_at"), rs.getString("request_hash"), rs.getBoolean("sanitized"),
            rs.getString("details"), rs.getString("media_state"), rs.getString("media_error"),
            rs.getString("media_sha256"), intOrNull(rs, "media_duration"), intOrNull(rs, "media_width"),
            intOrNull(rs, "media_height"));

    /** A queued message as the dispatcher needs it (no payload: that is loaded only when sending). */
    public record QueuedMessage(UUID id, String chatJid, String toJid, String providerMessageId, UUID quotedMessageId,
                                int attempts, Instant nextAttemptAt, Instant expiresAt, Instant createdAt) {
    }

    /** Key parts and content of a message being quoted. */
    public record QuotedKey(String providerMessageId, String chatJid, boolean fromMe, String senderJid, String contentJson) {
    }

    /** WhatsApp accepted a send: the content as sent and WhatsApp's timestamp (may be null). */
    public record SentUpdate(UUID id, String contentJson, Instant waTimestamp) {
    }

    /** A receipt for one of our messages. */
    public record StatusUpdate(String providerMessageId, String status, String error) {
    }

    /** How full a chat is, and its oldest stored message (the anchor of a history request). */
    public record ChatFill(String chatJid, int count, String oldestProviderId, boolean oldestFromMe, Instant oldestTimestamp) {
    }
}
