package com.wagateway.database;

import com.wagateway.domain.Caller;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code users}. Emails are unique case-insensitively. */
@Repository
public class UserRepository {

    private static final String COLUMNS = "id, email, password_hash, role, disabled, created_at, last_login_at";

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<UserRow> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = ?").param(id).query(MAPPER).optional();
    }

    public Optional<UserRow> findByEmail(String email) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE lower(email) = lower(?)").param(email).query(MAPPER).optional();
    }

    public List<UserRow> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users ORDER BY created_at, email").query(MAPPER).list();
    }

    /** The earliest admin, the owner used for the {@code ADMIN_API_KEY}. */
    public Optional<UserRow> firstAdmin() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE role = 'admin' AND NOT disabled ORDER BY created_at LIMIT 1")
                .query(MAPPER).optional();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    /** Inserts a user; false if the email is taken. */
    public boolean insert(UUID id, String email, String passwordHash, Caller.Role role) {
        return jdbc.sql("INSERT INTO users (id, email, password_hash, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(id, email, passwordHash, role.wire()).update() == 1;
    }

    /**
     * Inserts the first admin only while the table is empty, atomically (an advisory lock makes
     * two instances booting at once create one admin, not two).
     */
    public boolean insertFirstAdmin(UUID id, String email, String passwordHash) {
        return Boolean.TRUE.equals(jdbc.sql("""
                WITH lock AS (SELECT pg_advisory_xact_lock(4242001))
                INSERT INTO users (id, email, password_hash, role)
                SELECT ?, ?, ?, 'admin' FROM lock WHERE NOT EXISTS (SELECT 1 FROM users)
                RETURNING true""").params(id, email, passwordHash).query(Boolean.class).optional().orElse(false));
    }

    public boolean setDisabled(UUID id, boolean disabled) {
        return jdbc.sql("UPDATE users SET disabled = ?, updated_at = now() WHERE id = ?").params(disabled, id).update() == 1;
    }

    public boolean setPasswordHash(UUID id, String hash) {
        return jdbc.sql("UPDATE users SET password_hash = ?, updated_at = now() WHERE id = ?").params(hash, id).update() == 1;
    }

    public void touchLogin(UUID id) {
        jdbc.sql("UPDATE users SET last_login_at = now() WHERE id = ?").param(id).update();
    }

    static final RowMapper<UserRow> MAPPER = (rs, n) -> {
        Timestamp last = rs.getTimestamp("last_login_at");
        return new UserRow(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("password_hash"),
                Caller.Role.fromWire(rs.getString("role")), rs.getBoolean("disabled"),
                rs.getTimestamp("created_at").toInstant(), last == null ? null : last.toInstant());
    };
}
