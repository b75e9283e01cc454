package com.wagateway.database;

import static com.wagateway.database.Sql.text;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Stores messages accepted by the send API as {@code queued}: any number of them in one
 * statement, so concurrent requests can share one round trip and one commit (issue 18: the send
 * service group-commits them through {@code GroupCommit}).
 *
 * <p>Guarantees: one statement, so a batch is stored entirely or not at all; each message gets back
 * its stored row, or empty when nothing was stored for it — its connection already has that
 * {@code client_message_id} (also when an earlier message of the same batch took it: the unique
 * index decides, under any concurrency) or the connection no longer exists; rows are stored in the
 * batch's order ({@code created_at}, which orders the send queue, rises by a microsecond per
 * message within the statement, whose {@code now()} is shared).
 */
@Repository
public class QueuedInserts {

    /** A message to store as {@code queued} (all values validated by the caller). */
    public record NewQueued(UUID id, String connectionId, String chatJid, String toJid, String toPhone, String body,
                            String type, String caption, String mimeType, Long fileLength, String fileName,
                            String mediaSha256, String detailsJson, String clientMessageId, String providerMessageId,
                            UUID quotedId, String quotedProviderId, String outgoingJson, String requestHash,
                            Instant expiresAt) {
    }

    private final JdbcClient jdbc;

    public QueuedInserts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the messages in one statement; one result per message, in the same order. */
    public List<Optional<MessageRow>> insertAll(List<NewQueued> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        int n = batch.size();
        UUID[] ids = new UUID[n];
        UUID[] quotedIds = new UUID[n];
        Long[] fileLengths = new Long[n];
        String[][] t = new String[17][n];
        for (int i = 0; i < n; i++) {
            NewQueued m = batch.get(i);
            ids[i] = m.id();
            quotedIds[i] = m.quotedId();
            fileLengths[i] = m.fileLength();
            String[] v = {m.connectionId(), m.chatJid(), m.toJid(), m.toPhone(), m.body(), m.type(), m.caption(),
                    m.mimeType(), m.fileName(), m.mediaSha256(), m.detailsJson(), m.clientMessageId(),
                    m.providerMessageId(), m.quotedProviderId(), m.outgoingJson(), m.requestHash(), text(m.expiresAt())};
            for (int c = 0; c < v.length; c++) {
                t[c][i] = v[c];
            }
        }
        List<MessageRow> stored = jdbc.sql("""
                INSERT INTO messages AS m (id, connection_id, direction, chat_jid, from_jid, from_phone, to_jid, to_phone,
                    body, type, caption, mime_type, file_length, file_name, media_sha256, media_state, details,
                    client_message_id, provider_message_id, quoted_message_id, quoted_provider_id, status, outgoing,
                    request_hash, expires_at, created_at, sort_at)
                SELECT x.id, c.connection_id, 'outbound', x.chat_jid, c.jid, c.phone, x.to_jid, x.to_phone, x.body, x.type,
                    x.caption, x.mime_type, x.file_length, x.file_name, x.media_sha256,
                    CASE WHEN x.media_sha256 IS NULL THEN NULL ELSE 'stored' END, x.details::jsonb,
                    x.client_id, x.provider_id, x.quoted_id, x.quoted_provider_id, 'queued', x.outgoing::jsonb,
                    x.request_hash, x.expires_at::timestamptz,
                    now() + x.ord * interval '1 microsecond', now() + x.ord * interval '1 microsecond'
                FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[],
                            ?::text[], ?::text[], ?::text[], ?::text[])
                     WITH ORDINALITY AS x(id, connection_id, chat_jid, to_jid, to_phone, body, type, caption,
                            mime_type, file_length, file_name, media_sha256, details, client_id, provider_id, quoted_id,
                            quoted_provider_id, outgoing, request_hash, expires_at, ord)
                JOIN connections c ON c.connection_id = x.connection_id
                ORDER BY x.ord
                ON CONFLICT (connection_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING"""
                + MessageRepository.RETURNING)
                .params(ids, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], fileLengths, t[8], t[9], t[10], t[11], t[12],
                        quotedIds, t[13], t[14], t[15], t[16])
                .query(MessageRepository.MAPPER).list();
        Map<UUID, MessageRow> byId = new HashMap<>();
        stored.forEach(r -> byId.put(r.id(), r));
        List<Optional<MessageRow>> out = new ArrayList<>(n);
        for (UUID id : ids) {
            out.add(Optional.ofNullable(byId.get(id)));
        }
        return out;
    }
}
