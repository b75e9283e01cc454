package com.wagateway.database;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code contacts}: the names a connection knows, with phone and LID. One row per
 * contact, keyed by its phone digits when known, else by its LID JID. Reads resolve a LID-only
 * row's phone through {@code lid_mappings}, so the answer carries both wherever either side
 * knows them, and never a LID in the phone field.
 */
@Repository
public class ContactRepository {

    /** One contact to merge in: any null value keeps what is stored. */
    public record ContactUpdate(String phone, String lid, String name, String pushName, String verifiedName) {
    }

    /** One contact as listed. {@code phone} is digits or null, {@code lid} a LID JID or null. */
    public record ContactRow(String phone, String lid, String name, String pushName, String verifiedName, Instant updatedAt) {
    }

    private final JdbcClient jdbc;

    public ContactRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Merges contacts in one statement. A contact is stored under its phone when known, else under
     * its LID; a contact first seen by LID and later with its phone lands on the phone row (the LID
     * row stays, and reads drop it once its phone has a row of its own). Null values never erase.
     */
    public void upsert(String connectionId, Collection<ContactUpdate> updates) {
        Map<String, ContactUpdate> byKey = new LinkedHashMap<>(); // a row may change once per statement
        for (ContactUpdate u : updates) {
            String key = u.phone() != null ? u.phone() : u.lid();
            if (key != null) {
                byKey.merge(key, u, ContactRepository::newerWins);
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        int n = byKey.size();
        String[][] c = new String[6][n];
        int i = 0;
        for (Map.Entry<String, ContactUpdate> e : byKey.entrySet()) {
            ContactUpdate u = e.getValue();
            c[0][i] = e.getKey();
            c[1][i] = u.phone();
            c[2][i] = u.lid();
            c[3][i] = u.name();
            c[4][i] = u.pushName();
            c[5][i] = u.verifiedName();
            i++;
        }
        jdbc.sql("""
                INSERT INTO contacts (connection_id, contact_key, phone, lid, name, push_name, verified_name)
                SELECT ?, x.k, x.phone, x.lid, x.name, x.push_name, x.verified_name
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS x(k, phone, lid, name, push_name, verified_name)
                ON CONFLICT (connection_id, contact_key) DO UPDATE SET
                    phone = coalesce(excluded.phone, contacts.phone),
                    lid = coalesce(excluded.lid, contacts.lid),
                    name = coalesce(excluded.name, contacts.name),
                    push_name = coalesce(excluded.push_name, contacts.push_name),
                    verified_name = coalesce(excluded.verified_name, contacts.verified_name),
                    updated_at = now()""")
                .params(connectionId, c[0], c[1], c[2], c[3], c[4], c[5])
                .update();
    }

    /**
     * Every contact of a connection, sorted by name (address-book name, else push name, else
     * phone). The phone of a LID-only row comes from {@code lid_mappings}, the LID of a phone row
     * too; a LID-only row whose phone has its own row is merged into it.
     */
    public List<ContactRow> list(String connectionId) {
        List<ContactRow> rows = jdbc.sql("""
                WITH resolved AS (
                    SELECT coalesce(c.phone, split_part(m.pn, '@', 1)) AS phone,
                           coalesce(c.lid, l.lid) AS lid, c.name, c.push_name, c.verified_name, c.updated_at
                    FROM contacts c
                    LEFT JOIN lid_mappings m ON m.connection_id = c.connection_id AND c.phone IS NULL AND m.lid = c.lid
                    LEFT JOIN LATERAL (SELECT lm.lid FROM lid_mappings lm
                                       WHERE lm.connection_id = c.connection_id AND c.lid IS NULL
                                         AND lm.pn = c.phone || '@s.whatsapp.net'
                                       ORDER BY lm.updated_at DESC LIMIT 1) l ON true
                    WHERE c.connection_id = ?)
                SELECT coalesce(phone, lid) AS k, max(phone) AS phone, max(lid) AS lid, max(name) AS name,
                       max(push_name) AS push_name, max(verified_name) AS verified_name, max(updated_at) AS updated_at
                FROM resolved GROUP BY coalesce(phone, lid)
                ORDER BY lower(coalesce(max(name), max(push_name), max(verified_name), max(phone), max(lid)))""")
                .param(connectionId)
                .query((rs, n) -> new ContactRow(rs.getString("phone"), rs.getString("lid"), rs.getString("name"),
                        rs.getString("push_name"), rs.getString("verified_name"), rs.getTimestamp("updated_at").toInstant()))
                .list();
        return new ArrayList<>(rows);
    }

    /** Of two updates of one contact in the same batch, the later one's values win where it has them. */
    private static ContactUpdate newerWins(ContactUpdate older, ContactUpdate newer) {
        return new ContactUpdate(first(newer.phone(), older.phone()), first(newer.lid(), older.lid()),
                first(newer.name(), older.name()), first(newer.pushName(), older.pushName()),
                first(newer.verifiedName(), older.verifiedName()));
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
