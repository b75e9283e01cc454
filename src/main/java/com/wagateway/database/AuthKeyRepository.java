package com.wagateway.database;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * SQL for {@code auth_keys} and {@code auth_key_check} (V18): Baileys' auth state of each
 * connection when AUTH_STORE=postgres. Values arrive and leave encrypted; this class never sees
 * plaintext. Creds are the row {@code (connection, 'creds', '')}.
 */
@Repository
public class AuthKeyRepository {

    /** The type under which a connection's creds are stored (no Baileys key type has this name). */
    public static final String CREDS_TYPE = "creds";
    public static final String CREDS_ID = "";

    /** One stored value: {@code value} is the encrypted bytes, or null for "delete this key". */
    public record KeyRow(String type, String id, byte[] value) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final TransactionTemplate tx;
    private final LeaseRepository leases;

    public AuthKeyRepository(JdbcClient jdbc, JdbcTemplate batch, TransactionTemplate tx, LeaseRepository leases) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.tx = tx;
        this.leases = leases;
    }

    /** The encrypted value of one key, if stored. */
    public Optional<byte[]> find(String connectionId, String type, String id) {
        return jdbc.sql("SELECT value FROM auth_keys WHERE connection_id = ? AND key_type = ? AND key_id = ?")
                .params(connectionId, type, id).query(byte[].class).optional();
    }

    /** The stored ones among {@code ids} of one type (id → encrypted value); absent ids are not stored. */
    public Map<String, byte[]> findMany(String connectionId, String type, List<String> ids) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT key_id, value FROM auth_keys WHERE connection_id = ? AND key_type = ? AND key_id = ANY(?)")
                .params(connectionId, type, ids.toArray(String[]::new))
                .query((rs, n) -> out.put(rs.getString(1), rs.getBytes(2))).list();
        return out;
    }

    /**
     * Writes a batch as one transaction: rows with a value are upserted, rows without are deleted.
     * Guarantees: all or nothing; committed when this returns (the engine answers Baileys' set
     * only then); writes of one connection never interleave (a transaction-scoped advisory lock on
     * the connection), so two batches commit in the order they took the lock. The connection must
     * exist (foreign key): a batch for a deleted connection fails and stores nothing.
     * With a {@code fence} (several nodes), the batch lands only while the connection's lease still
     * names that node and epoch (checked under the same lock, expiry not required: nobody else can
     * have taken it while the epoch is unchanged); otherwise {@link LeaseLostException} and nothing
     * is written, so a node that lost the connection (resumed after a pause) can never overwrite the
     * new owner's Signal state with its older one.
     */
    public void write(String connectionId, List<KeyRow> rows, LeaseFence fence) {
        if (rows.isEmpty()) {
            return;
        }
        List<Object[]> upserts = new ArrayList<>();
        List<Object[]> deletes = new ArrayList<>();
        for (KeyRow r : rows) {
            if (r.value() != null) {
                upserts.add(new Object[] {connectionId, r.type(), r.id(), r.value()});
            } else {
                deletes.add(new Object[] {connectionId, r.type(), r.id()});
            }
        }
        tx.executeWithoutResult(s -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('auth_keys/' || ?))").param(connectionId).query().singleRow();
            // locked: a takeover (which bumps the epoch) waits until this batch committed
            if (fence != null && !leases.stillNamesLocked(fence, connectionId)) {
                throw new LeaseLostException(connectionId);
            }
            if (!deletes.isEmpty()) {
                batch.batchUpdate("DELETE FROM auth_keys WHERE connection_id = ? AND key_type = ? AND key_id = ?", deletes);
            }
            if (!upserts.isEmpty()) {
                batch.batchUpdate("""
                        INSERT INTO auth_keys (connection_id, key_type, key_id, value) VALUES (?, ?, ?, ?)
                        ON CONFLICT (connection_id, key_type, key_id) DO UPDATE SET value = excluded.value, updated_at = now()
                        """, upserts);
            }
        });
    }

    /** Replaces everything stored for the connection with {@code rows} (all with values), as one transaction. */
    public void replaceAll(String connectionId, List<KeyRow> rows) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('auth_keys/' || ?))").param(connectionId).query().singleRow();
            jdbc.sql("DELETE FROM auth_keys WHERE connection_id = ?").param(connectionId).update();
            List<Object[]> upserts = rows.stream().map(r -> new Object[] {connectionId, r.type(), r.id(), r.value()}).toList();
            if (!upserts.isEmpty()) {
                batch.batchUpdate("INSERT INTO auth_keys (connection_id, key_type, key_id, value) VALUES (?, ?, ?, ?)", upserts);
            }
        });
    }

    /** Whether the connection exists (auth rows need their connection: foreign key). */
    public boolean connectionExists(String connectionId) {
        return jdbc.sql("SELECT count(*) FROM connections WHERE connection_id = ?").param(connectionId).query(Long.class).single() > 0;
    }

    /** Removes every stored value of the connection; how many rows there were. */
    public int deleteAll(String connectionId) {
        return tx.execute(s -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('auth_keys/' || ?))").param(connectionId).query().singleRow();
            return jdbc.sql("DELETE FROM auth_keys WHERE connection_id = ?").param(connectionId).update();
        });
    }

    /** Every stored value of the connection (the migrate command). */
    public List<KeyRow> all(String connectionId) {
        return jdbc.sql("SELECT key_type, key_id, value FROM auth_keys WHERE connection_id = ? ORDER BY key_type, key_id")
                .param(connectionId).query((rs, n) -> new KeyRow(rs.getString(1), rs.getString(2), rs.getBytes(3))).list();
    }

    /** Connections with any stored auth state, in id order. */
    public Set<String> connections() {
        return new LinkedHashSet<>(jdbc.sql("SELECT DISTINCT connection_id FROM auth_keys ORDER BY connection_id")
                .query(String.class).list());
    }

    /** The key check value, if one was written. */
    public Optional<byte[]> keyCheck() {
        return jdbc.sql("SELECT value FROM auth_key_check WHERE id = 1").query(byte[].class).optional();
    }

    /** Writes the key check value unless one exists; whether this call wrote it. */
    public boolean insertKeyCheck(byte[] value) {
        return jdbc.sql("INSERT INTO auth_key_check (id, value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")
                .param(value).update() == 1;
    }
}
