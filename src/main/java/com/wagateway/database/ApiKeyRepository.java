package com.wagateway.database;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code api_keys}: only hashes are stored; a key is found by its hash. */
@Repository
public class ApiKeyRepository {

    /** A stored key without its secret. */
    public record ApiKeyRow(UUID id, UUID userId, String name, String prefix, Instant createdAt, Instant lastUsedAt,
                            Instant revokedAt) {
    }

    private final JdbcClient jdbc;

    public ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(UUID id, UUID userId, String name, String prefix, String keyHash) {
        jdbc.sql("INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES (?, ?, ?, ?, ?)")
                .params(id, userId, name, prefix, keyHash).update();
    }

    /** The active (not revoked) key with this hash whose user is not disabled: (key id, user). */
    public Optional<ActiveKey> findActive(String keyHash) {
        return jdbc.sql("""
                SELECT k.id AS key_id, u.id, u.email, u.password_hash, u.role, u.disabled, u.created_at, u.last_login_at
                FROM api_keys k JOIN users u ON u.id = k.user_id
                WHERE k.key_hash = ? AND k.revoked_at IS NULL AND NOT u.disabled""")
                .param(keyHash)
                .query((rs, n) -> new ActiveKey(rs.getObject("key_id", UUID.class), UserRepository.MAPPER.mapRow(rs, n)))
                .optional();
    }

    /** An authenticated key and its owner. */
    public record ActiveKey(UUID keyId, UserRow user) {
    }

    public List<ApiKeyRow> findByUser(UUID userId) {
        return jdbc.sql("SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys "
                        + "WHERE user_id = ? ORDER BY created_at DESC")
                .param(userId).query(MAPPER).list();
    }

    public Optional<ApiKeyRow> find(UUID id) {
        return jdbc.sql("SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE id = ?")
                .param(id).query(MAPPER).optional();
    }

    public boolean revoke(UUID id) {
        return jdbc.sql("UPDATE api_keys SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL").param(id).update() == 1;
    }

    public void touch(UUID id) {
        jdbc.sql("UPDATE api_keys SET last_used_at = now() WHERE id = ?").param(id).update();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static final RowMapper<ApiKeyRow> MAPPER = (rs, n) -> new ApiKeyRow(rs.getObject("id", UUID.class),
            rs.getObject("user_id", UUID.class), rs.getString("name"), rs.getString("prefix"),
            instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("last_used_at")),
            instant(rs.getTimestamp("revoked_at")));
}
