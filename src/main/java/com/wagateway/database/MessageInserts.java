package com.wagateway.database;

import static com.wagateway.database.Sql.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Engine messages (live upserts and history) into {@code messages}, in batches: arrays through
 * {@code unnest}, so a batch of any size is one round trip.
 *
 * <p>Guarantees: a message is stored once per (connection, chat, direction, WhatsApp id); an
 * {@code undecryptable} placeholder is the only stored message that a later copy replaces; no
 * conflicting row is locked (an echo of our own send meets the send dispatcher's update of the
 * same row: see {@link #replaceUndecryptable}); a message's {@code details} that name a
 * {@code target} (a reaction's message) get {@code target.message_id}: our stored message with
 * that WhatsApp id, or null when we do not have it.
 */
@Repository
public class MessageInserts {

    /**
     * {@code media_state} of a new engine message: {@code pending} for live media, whose file the engine
     * downloads after the message event (a {@code media.downloaded}/{@code media.failed} settles it);
     * null for everything else, history included (its media are not downloaded: docs/decisions.md).
     */
    static final String PENDING_MEDIA = " CASE WHEN x.type IN ('image', 'video', 'ptv', 'audio', 'ptt', 'sticker', 'document')"
            + " AND NOT x.hist::boolean THEN 'pending' END ";

    private final JdbcClient jdbc;

    /**
     * {@code details} as stored: the engine's object unchanged, except that a {@code target}
     * (the message a reaction is about) gets {@code message_id} — our stored message with that
     * WhatsApp id and side ({@code from_me}: ours, else theirs), or JSON null when we have none.
     * {@code %1$s} is the owning connection's column.
     */
    private static final String DETAILS = """
            CASE WHEN x.details::jsonb #>> '{target,id}' IS NULL THEN x.details::jsonb
                 ELSE jsonb_set(x.details::jsonb, '{target,message_id}', coalesce(
                   (SELECT to_jsonb(t.id) FROM messages t WHERE t.connection_id = %1$s
                      AND t.provider_message_id = x.details::jsonb #>> '{target,id}'
                      AND (t.direction = 'outbound') = coalesce((x.details::jsonb #>> '{target,from_me}')::boolean, t.direction = 'outbound')
                    ORDER BY t.created_at LIMIT 1), 'null'::jsonb)) END
            """;

    public MessageInserts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts engine messages in one statement; a message already stored (same connection, chat,
     * direction and WhatsApp id) is left alone, except that an {@code undecryptable} placeholder
     * is replaced once WhatsApp delivers the content (a second statement, only when some rows
     * were already stored). Reply links are resolved in the same
     * statement; our own phone fills the missing side (sender of outbound, recipient of inbound).
     * Returns the rows inserted or replaced, as stored (no second query).
     */
    public List<MessageRow> insertBatch(String connectionId, List<NewMessage> batch) {
        return insertBatch(Collections.nCopies(batch.size(), connectionId), batch);
    }

    /**
     * {@link #insertBatch(String, List)} for messages of several connections at once
     * ({@code connectionIds.get(i)} owns {@code batch.get(i)}): the inbound group commit stores a
     * whole flood of engine events this way. One statement per run of distinct messages: a message
     * that appears again (an undecryptable placeholder, then its content) starts the next
     * statement, so the later copy meets the stored earlier one exactly as if it had come alone.
     * The returned rows are in the order of {@code batch}.
     */
    public List<MessageRow> insertBatch(List<String> connectionIds, List<NewMessage> batch) {
        List<MessageRow> stored = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int from = 0;
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            if (m.providerMessageId() != null && !seen.add(key(connectionIds.get(i), m))) {
                stored.addAll(insertDistinct(connectionIds.subList(from, i), batch.subList(from, i)));
                seen.clear();
                seen.add(key(connectionIds.get(i), m));
                from = i;
            }
        }
        stored.addAll(insertDistinct(connectionIds.subList(from, batch.size()), batch.subList(from, batch.size())));
        return stored;
    }

    /** One INSERT (plus the placeholder replacement) for messages that are all different. */
    private List<MessageRow> insertDistinct(List<String> connectionIds, List<NewMessage> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        int n = batch.size();
        String[][] cols = new String[23][n];
        for (int i = 0; i < n; i++) {
            NewMessage m = batch.get(i);
            String[] v = {m.id().toString(), m.direction(), m.chatJid(), m.fromJid(), m.toJid(), m.fromPhone(),
                    m.toPhone(), m.body(), m.type(), m.providerMessageId(), m.quotedProviderId(), m.status(),
                    text(m.waTimestamp()), m.pushName(), m.caption(), m.mimeType(),
                    m.fileLength() == null ? null : m.fileLength().toString(), m.fileName(), m.contentJson(),
                    Boolean.toString(m.fromHistory()), connectionIds.get(i), Boolean.toString(m.sanitized()), m.detailsJson()};
            for (int c = 0; c < v.length; c++) {
                cols[c][i] = v[c];
            }
        }
        List<MessageRow> stored = jdbc.sql("""
                INSERT INTO messages AS m (id, direction, chat_jid, from_jid, to_jid, from_phone, to_phone, body, type,
                    provider_message_id, quoted_provider_id, status, wa_timestamp, push_name, caption, mime_type,
                    file_length, file_name, content, from_history, connection_id, quoted_message_id, sort_at, sanitized, details,
                    media_state)
                SELECT x.id::uuid, x.direction, x.chat_jid,
                    coalesce(x.from_jid, CASE WHEN x.direction = 'outbound' THEN c.jid END),
                    coalesce(x.to_jid, CASE WHEN x.direction = 'inbound' THEN c.jid END),
                    coalesce(x.from_phone, CASE WHEN x.direction = 'outbound' THEN c.phone END),
                    coalesce(x.to_phone, CASE WHEN x.direction = 'inbound' THEN c.phone END), x.body, x.type,
                    x.pid, x.quoted, x.status, x.ts::timestamptz, x.push_name, x.caption, x.mime_type, x.file_length::bigint,
                    x.file_name, x.content::jsonb, x.hist::boolean, c.connection_id,
                    CASE WHEN x.quoted IS NOT NULL THEN
                      (SELECT q.id FROM messages q WHERE q.connection_id = c.connection_id AND q.provider_message_id = x.quoted
                       ORDER BY q.created_at LIMIT 1) END,
                    coalesce(x.ts::timestamptz, now()), x.sanitized::boolean, """ + DETAILS.formatted("c.connection_id") + ", "
                    + PENDING_MEDIA + """
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS x(id, direction, chat_jid, from_jid, to_jid, from_phone, to_phone, body, type, pid, quoted, status,
                          ts, push_name, caption, mime_type, file_length, file_name, content, hist, conn, sanitized, details)
                JOIN connections c ON c.connection_id = x.conn
                ON CONFLICT (connection_id, chat_jid, direction, provider_message_id) WHERE provider_message_id IS NOT NULL
                DO NOTHING""" + MessageRepository.RETURNING)
                .params((Object[]) cols).query(MessageRepository.MAPPER).list();
        stored = new ArrayList<>(stored);
        stored.addAll(replaceUndecryptable(connectionIds, batch, stored));
        return inInputOrder(stored, connectionIds, batch);
    }

    /**
     * The rows of {@code batch} that were already stored ({@code inserted} lacks them) and carry
     * real content replace a stored {@code undecryptable} placeholder. A separate UPDATE rather than
     * {@code ON CONFLICT DO UPDATE ... WHERE}, because that form locks every conflicting row even
     * when it changes nothing — and an echo of our own send conflicts while the send dispatcher
     * updates the same row: two transactions locking rows in different orders deadlock.
     */
    private List<MessageRow> replaceUndecryptable(List<String> connectionIds, List<NewMessage> batch, List<MessageRow> inserted) {
        Set<String> done = new HashSet<>();
        for (MessageRow r : inserted) {
            done.add(key(r));
        }
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            if (m.providerMessageId() == null || "undecryptable".equals(m.type())
                    || done.contains(key(connectionIds.get(i), m))) {
                continue;
            }
            rows.add(new String[] {connectionIds.get(i), m.chatJid(), m.direction(), m.providerMessageId(), m.body(), m.type(),
                    m.contentJson(), m.caption(), m.mimeType(), m.fileLength() == null ? null : m.fileLength().toString(),
                    m.fileName(), m.quotedProviderId(), Boolean.toString(m.sanitized()), m.detailsJson()});
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        String[][] cols = new String[14][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < 14; c++) {
                cols[c][i] = rows.get(i)[c];
            }
        }
        return jdbc.sql("""
                UPDATE messages m SET body = x.body, type = x.type, content = x.content::jsonb, caption = x.caption,
                    media_state = coalesce(m.media_state, """ + PENDING_MEDIA.replace("x.hist::boolean", "m.from_history") + """
                    ), mime_type = x.mime_type, file_length = x.file_length::bigint, file_name = x.file_name,
                    quoted_provider_id = x.quoted, sanitized = x.sanitized::boolean, updated_at = now(),
                    details = """ + DETAILS.formatted("x.conn") + """
                    , quoted_message_id = CASE WHEN x.quoted IS NOT NULL THEN
                      (SELECT q.id FROM messages q WHERE q.connection_id = x.conn AND q.provider_message_id = x.quoted
                       ORDER BY q.created_at LIMIT 1) END
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS x(conn, chat_jid, direction, pid, body, type, content, caption, mime_type, file_length, file_name, quoted,
                          sanitized, details)
                WHERE m.connection_id = x.conn AND m.chat_jid = x.chat_jid AND m.direction = x.direction
                  AND m.provider_message_id = x.pid AND m.type = 'undecryptable'""" + MessageRepository.RETURNING)
                .params((Object[]) cols).query(MessageRepository.MAPPER).list();
    }

    /** RETURNING promises no order: sort the stored rows back into the order they were given in. */
    private static List<MessageRow> inInputOrder(List<MessageRow> stored, List<String> connectionIds, List<NewMessage> batch) {
        if (stored.size() < 2) {
            return stored;
        }
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            position.putIfAbsent(key(connectionIds.get(i), m), i);
        }
        List<MessageRow> sorted = new ArrayList<>(stored);
        sorted.sort(Comparator.comparingInt(r -> position.getOrDefault(key(r), Integer.MAX_VALUE)));
        return sorted;
    }

    /** The identity the unique index {@code messages_provider_id_key} gives a message. */
    private static String key(String connectionId, NewMessage m) {
        return key(connectionId, m.chatJid(), m.direction(), m.providerMessageId());
    }

    private static String key(MessageRow r) {
        return key(r.connectionId(), r.chatJid(), r.direction(), r.providerMessageId());
    }

    private static String key(String connectionId, String chatJid, String direction, String providerMessageId) {
        return connectionId + '\u0000' + chatJid + '\u0000' + direction + '\u0000' + providerMessageId;
    }
}
