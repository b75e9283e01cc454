package com.wagateway.database;

import static com.wagateway.database.Sql.instant;
import static com.wagateway.database.Sql.intOrNull;
import static com.wagateway.database.Sql.longOrNull;
import static com.wagateway.database.Sql.ts;
import static com.wagateway.database.Sql.uuid;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for the media columns of {@code messages} (V9): the outcome of a download, reads for the media
 * endpoints, and the retention job.
 *
 * <p>Guarantees: a download outcome lands only on a live, engine-stored message whose media are not
 * settled yet ({@code media_state} null or {@code pending}; never a history message, never a message
 * sent through the API), so a repeated or late engine event changes nothing twice; a file's hash is
 * forgotten by a row only when the row is marked {@code expired}.
 */
@Repository
public class MediaRepository {

    private static final String COLUMNS = """
            id, connection_id, provider_message_id, chat_jid, direction, from_phone, type, client_message_id, from_history,
            media_state, media_error, media_sha256, file_length, mime_type, file_name, caption, media_duration, media_width,
            media_height, coalesce(wa_timestamp, created_at) AS ts""";

    private static final RowMapper<MessageMedia> MAPPER = MediaRepository::map;

    private final JdbcClient jdbc;

    public MediaRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The media of one message of this connection, or empty when there is no such message. */
    public Optional<MessageMedia> find(String connectionId, UUID messageId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messages WHERE connection_id = ? AND id = ?")
                .params(connectionId, messageId).query(MAPPER).optional();
    }

    /** The media of one message by id alone (signed URLs name no connection). */
    public Optional<MessageMedia> find(UUID messageId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messages WHERE id = ?").param(messageId).query(MAPPER).optional();
    }

    /**
     * Records a stored file on the message the engine named (WhatsApp id and direction; the oldest such row).
     * Empty when no unsettled live message matches — the caller then drops the file.
     */
    public Optional<MessageMedia> recordStored(String connectionId, String providerMessageId, boolean fromMe, String sha256,
                                               long size, Integer duration, Integer width, Integer height) {
        return jdbc.sql("UPDATE messages m SET media_state = 'stored', media_error = NULL, media_sha256 = ?, file_length = ?,"
                        + " media_duration = coalesce(?, m.media_duration), media_width = coalesce(?, m.media_width),"
                        + " media_height = coalesce(?, m.media_height), updated_at = now()"
                        + " WHERE m.id = (" + UNSETTLED + ") RETURNING " + COLUMNS)
                .params(sha256, size, duration, width, height, connectionId, providerMessageId, fromMe ? "outbound" : "inbound")
                .query(MAPPER).optional();
    }

    /** Records a failed download ({@code failed} with its reason, or {@code too_large}); same matching as {@link #recordStored}. */
    public Optional<MessageMedia> recordFailed(String connectionId, String providerMessageId, boolean fromMe, String state,
                                               String error, Integer duration, Integer width, Integer height) {
        return jdbc.sql("UPDATE messages m SET media_state = ?, media_error = ?,"
                        + " media_duration = coalesce(?, m.media_duration), media_width = coalesce(?, m.media_width),"
                        + " media_height = coalesce(?, m.media_height), updated_at = now()"
                        + " WHERE m.id = (" + UNSETTLED + ") RETURNING " + COLUMNS)
                .params(state, error, duration, width, height, connectionId, providerMessageId, fromMe ? "outbound" : "inbound")
                .query(MAPPER).optional();
    }

    /** The live, engine-stored message a download belongs to, while its media are not settled. */
    private static final String UNSETTLED = """
            SELECT x.id FROM messages x WHERE x.connection_id = ? AND x.provider_message_id = ? AND x.direction = ?
              AND NOT x.from_history AND x.client_message_id IS NULL
              AND (x.media_state IS NULL OR x.media_state = 'pending')
            ORDER BY x.created_at LIMIT 1 FOR UPDATE""";

    /**
     * Marks stored media of messages created before {@code before} {@code expired} (at most {@code limit}
     * rows per call) and returns the hashes they held.
     */
    public List<String> expireBefore(Instant before, int limit) {
        return jdbc.sql("""
                WITH old AS (SELECT id, media_sha256 FROM messages WHERE media_state = 'stored' AND created_at < ?
                             ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED)
                UPDATE messages m SET media_state = 'expired', updated_at = now() FROM old WHERE m.id = old.id
                RETURNING old.media_sha256""")
                .params(ts(before), limit).query(String.class).list();
    }

    /** A live message whose media download never ended: what the engine needs to fetch it again. */
    public record PendingMedia(String providerMessageId, String chatJid, boolean fromMe, String participant, String contentJson) {
    }

    /**
     * Live messages of a connection still waiting for their media (oldest first, at most {@code limit}),
     * with their stored content; rows without content cannot be fetched and are left out.
     */
    public List<PendingMedia> pending(String connectionId, int limit) {
        return jdbc.sql("""
                SELECT provider_message_id, chat_jid, direction, from_jid, content::text AS content FROM messages
                WHERE connection_id = ? AND media_state = 'pending' AND content IS NOT NULL AND provider_message_id IS NOT NULL
                ORDER BY created_at LIMIT ?""")
                .params(connectionId, limit)
                .query((rs, n) -> new PendingMedia(rs.getString("provider_message_id"), rs.getString("chat_jid"),
                        "outbound".equals(rs.getString("direction")),
                        rs.getString("chat_jid").endsWith("@g.us") && "inbound".equals(rs.getString("direction")) ? rs.getString("from_jid") : null,
                        rs.getString("content")))
                .list();
    }

    /** True while some message still has this content stored (the file must stay). */
    public boolean isReferenced(String sha256) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM messages WHERE media_sha256 = ? AND media_state = 'stored')")
                .param(sha256).query(Boolean.class).single();
    }

    private static MessageMedia map(ResultSet rs, int n) throws SQLException {
        return new MessageMedia(uuid(rs, "id"), rs.getString("connection_id"), rs.getString("provider_message_id"),
                rs.getString("chat_jid"), rs.getString("direction"), rs.getString("from_phone"), rs.getString("type"),
                rs.getString("client_message_id"), rs.getBoolean("from_history"), rs.getString("media_state"),
                rs.getString("media_error"), rs.getString("media_sha256"), longOrNull(rs, "file_length"),
                rs.getString("mime_type"), rs.getString("file_name"), rs.getString("caption"), intOrNull(rs, "media_duration"),
                intOrNull(rs, "media_width"), intOrNull(rs, "media_height"), instant(rs, "ts"));
    }
}
