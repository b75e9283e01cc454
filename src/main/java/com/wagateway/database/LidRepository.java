package com.wagateway.database;

import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code lid_mappings}: which phone-number JID stands behind a LID, per connection. */
@Repository
public class LidRepository {

    private final JdbcClient jdbc;

    public LidRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Remembers LID → phone JID pairs in one statement; a known pair is refreshed. */
    public void upsert(String connectionId, Map<String, String> lidToPn) {
        if (lidToPn.isEmpty()) {
            return;
        }
        jdbc.sql("""
                INSERT INTO lid_mappings (connection_id, lid, pn)
                SELECT ?, x.lid, x.pn FROM unnest(?::text[], ?::text[]) AS x(lid, pn)
                ON CONFLICT (connection_id, lid) DO UPDATE SET pn = excluded.pn, updated_at = now()""")
                .params(connectionId, lidToPn.keySet().toArray(String[]::new), lidToPn.values().toArray(String[]::new))
                .update();
    }

    /** The phone JID for a LID, or null. */
    public String pnFor(String connectionId, String lid) {
        return jdbc.sql("SELECT pn FROM lid_mappings WHERE connection_id = ? AND lid = ?")
                .params(connectionId, lid).query(String.class).optional().orElse(null);
    }

    /** The newest LID known for a phone JID, or null. */
    public String lidFor(String connectionId, String pn) {
        return jdbc.sql("SELECT lid FROM lid_mappings WHERE connection_id = ? AND pn = ? ORDER BY updated_at DESC LIMIT 1")
                .params(connectionId, pn).query(String.class).optional().orElse(null);
    }
}
