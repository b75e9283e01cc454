package com.wagateway.database;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code realtime_relay}: realtime events too large for a NOTIFY payload, stored for the other
 * nodes to read by id (issue 17). Rows are read within moments; anything older than a minute is
 * removed by {@link #sweep}.
 */
@Repository
public class RealtimeRelayRepository {

    private final JdbcClient jdbc;

    public RealtimeRelayRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the payload; returns its id. */
    public long store(String payload) {
        return jdbc.sql("INSERT INTO realtime_relay (payload) VALUES (?) RETURNING id").param(payload)
                .query(Long.class).single();
    }

    public Optional<String> find(long id) {
        return jdbc.sql("SELECT payload FROM realtime_relay WHERE id = ?").param(id).query(String.class).optional();
    }

    /** Removes what every node has had a minute to read. */
    public int sweep() {
        return jdbc.sql("DELETE FROM realtime_relay WHERE created_at < now() - interval '1 minute'").update();
    }
}
