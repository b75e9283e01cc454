package com.wagateway.database;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code pairing_codes}: the one pairing code a connection is waiting on, if any. */
@Repository
public class PairingCodeRepository {

    /** A requested pairing code: for which phone, the code, and until when it works. */
    public record PairingCodeRow(String connectionId, String phone, String code, Instant expiresAt) {
    }

    private final JdbcClient jdbc;

    public PairingCodeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the newest code of a connection (a newer request replaces the older code). */
    public void save(PairingCodeRow row) {
        jdbc.sql("""
                INSERT INTO pairing_codes (connection_id, phone, code, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (connection_id) DO UPDATE SET phone = excluded.phone, code = excluded.code,
                    expires_at = excluded.expires_at, created_at = now()""")
                .params(row.connectionId(), row.phone(), row.code(), Timestamp.from(row.expiresAt()))
                .update();
    }

    public Optional<PairingCodeRow> find(String connectionId) {
        return jdbc.sql("SELECT connection_id, phone, code, expires_at FROM pairing_codes WHERE connection_id = ?")
                .param(connectionId)
                .query((rs, n) -> new PairingCodeRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()))
                .optional();
    }

    /** Forgets the code (the connection linked, or it is no longer wanted). */
    public void delete(String connectionId) {
        jdbc.sql("DELETE FROM pairing_codes WHERE connection_id = ?").param(connectionId).update();
    }
}
