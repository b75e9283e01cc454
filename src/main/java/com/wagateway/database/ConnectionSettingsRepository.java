package com.wagateway.database;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code connection_settings} (V15): one row per connection, created with the defaults by
 * a trigger when the connection is inserted and removed with it (foreign key cascade).
 */
@Repository
public class ConnectionSettingsRepository {

    /**
     * A connection's settings. {@code sendRatePerMinute} / {@code sendBurst} null = the global pace;
     * {@code callReplyText} null = no reply to a rejected call.
     */
    public record SettingsRow(String connectionId, boolean rejectCalls, String callReplyText, boolean ignoreGroups,
                              boolean ignoreBroadcasts, boolean sendReadReceipts, boolean alwaysOnline, boolean syncHistory,
                              Integer sendRatePerMinute, Integer sendBurst, Instant updatedAt) {

        /** What a connection without a row has (the column defaults). */
        public static SettingsRow defaults(String connectionId) {
            return new SettingsRow(connectionId, false, null, false, false, false, false, true, null, null, null);
        }
    }

    private static final String COLUMNS = "connection_id, reject_calls, call_reply_text, ignore_groups, ignore_broadcasts, "
            + "send_read_receipts, always_online, sync_history, send_rate_per_minute, send_burst, updated_at";

    private final JdbcClient jdbc;

    public ConnectionSettingsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored row, or empty when the connection has none (it does not exist). */
    public Optional<SettingsRow> find(String connectionId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connection_settings WHERE connection_id = ?")
                .param(connectionId).query((rs, n) -> row(rs)).optional();
    }

    /** The stored row, locked until the transaction ends (a change reads, merges and writes it as one). */
    public Optional<SettingsRow> findForUpdate(String connectionId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connection_settings WHERE connection_id = ? FOR UPDATE")
                .param(connectionId).query((rs, n) -> row(rs)).optional();
    }

    /**
     * Writes every value of {@code s} (upsert, so a connection created before V15's trigger gets
     * its row too) and answers the row as stored. The connection must exist (foreign key).
     */
    public SettingsRow save(SettingsRow s) {
        return jdbc.sql("""
                INSERT INTO connection_settings (connection_id, reject_calls, call_reply_text, ignore_groups, ignore_broadcasts,
                    send_read_receipts, always_online, sync_history, send_rate_per_minute, send_burst, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                ON CONFLICT (connection_id) DO UPDATE SET reject_calls = excluded.reject_calls,
                    call_reply_text = excluded.call_reply_text, ignore_groups = excluded.ignore_groups,
                    ignore_broadcasts = excluded.ignore_broadcasts, send_read_receipts = excluded.send_read_receipts,
                    always_online = excluded.always_online, sync_history = excluded.sync_history,
                    send_rate_per_minute = excluded.send_rate_per_minute, send_burst = excluded.send_burst, updated_at = now()
                RETURNING\s""" + COLUMNS)
                .params(s.connectionId(), s.rejectCalls(), s.callReplyText(), s.ignoreGroups(), s.ignoreBroadcasts(),
                        s.sendReadReceipts(), s.alwaysOnline(), s.syncHistory(), s.sendRatePerMinute(), s.sendBurst())
                .query((rs, n) -> row(rs)).single();
    }

    private static SettingsRow row(ResultSet rs) throws SQLException {
        return new SettingsRow(rs.getString("connection_id"), rs.getBoolean("reject_calls"), rs.getString("call_reply_text"),
                rs.getBoolean("ignore_groups"), rs.getBoolean("ignore_broadcasts"), rs.getBoolean("send_read_receipts"),
                rs.getBoolean("always_online"), rs.getBoolean("sync_history"), Sql.intOrNull(rs, "send_rate_per_minute"),
                Sql.intOrNull(rs, "send_burst"), Sql.instant(rs, "updated_at"));
    }
}
