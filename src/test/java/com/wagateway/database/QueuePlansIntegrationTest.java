package com.wagateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.Plans;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Issue 18: the send queue's statements keep their intended index when the statistics are stale
 * in the way a queue makes them: taken while nothing was queued, then a backlog of thousands
 * arrives (a respond-async burst, an outage). Before, the planner took the small partial index on
 * the queued messages' expiry for all of them (auto_explain in the benchmark: 1,089 buffers and
 * 49 ms for one queue-head read of 8 rows). Checked with PostgreSQL's generic and custom plans,
 * as a prepared statement gets either; then, once the statistics know the backlog, the expiry
 * sweep takes its own index.
 */
class QueuePlansIntegrationTest {

    static GatewayHarness gw;
    static JdbcClient jdbc;
    static final String ID = "queue_plans";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.defaults(GatewayHarness.tempDataDir("queue-plans")));
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"" + ID + "\"}").status()).isEqualTo(201);
        jdbc = gw.bean(JdbcClient.class);
        // no analyze by autovacuum while the test runs: the statistics stay the stale ones
        jdbc.sql("ALTER TABLE messages SET (autovacuum_enabled = false)").update();
        jdbc.sql("""
                INSERT INTO messages (id, connection_id, direction, chat_jid, status, body, client_message_id, created_at)
                SELECT gen_random_uuid(), ?, 'outbound', '9230' || (g % 500) || '@s.whatsapp.net', 'sent', 'old ' || g,
                       'old-' || g, now() - interval '1 day' + g * interval '1 millisecond'
                FROM generate_series(1, 1000) g""").param(ID).update();
        jdbc.sql("ANALYZE messages").update(); // statistics of a table with nothing queued
        jdbc.sql("""
                INSERT INTO messages (id, connection_id, direction, chat_jid, status, body, outgoing, created_at, expires_at)
                SELECT gen_random_uuid(), ?, 'outbound', '9231' || (g % 500) || '@s.whatsapp.net', 'queued', 'new ' || g,
                       '{}'::jsonb, now() + g * interval '1 millisecond', now() + interval '1 hour'
                FROM generate_series(1, 6000) g""").param(ID).update();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void eachQueueStatementKeepsItsIndexWhenTheStatisticsPredateTheBacklog() {
        List<UUID> queued = jdbc.sql("SELECT id FROM messages WHERE status = 'queued' ORDER BY created_at LIMIT 30")
                .query(UUID.class).list();
        String inFlight = "'{" + queued.get(0) + "," + queued.get(1) + "}'::uuid[]";
        String last = jdbc.sql("SELECT created_at::text || ''', ''' || id FROM messages WHERE id = ?::uuid")
                .param(queued.get(10).toString()).query(String.class).single();
        for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
            assertThat(plan(mode, QueueSql.findQueued(false), "'" + ID + "'", inFlight, "8")).as(mode)
                    .contains("messages_queue_idx").contains("Index Cond: (connection_id = ").doesNotContain("Sort");
            assertThat(plan(mode, QueueSql.findQueued(true), "'" + ID + "'", inFlight, "'" + last + "'", "8")).as(mode)
                    .contains("messages_queue_idx").doesNotContain("Sort");
            assertThat(plan(mode, QueueSql.FIND_OUTGOING, "'{" + queued.get(3) + "," + queued.get(4) + "}'::uuid[]"))
                    .as(mode).contains("messages_pkey").doesNotContain("messages_queue");
            assertThat(plan(mode, QueueSql.CONNECTIONS_WITH_DUE, "now()")).as(mode)
                    .contains("messages_queue_idx").doesNotContain("messages_queue_expiry_idx").doesNotContain("Seq Scan on messages");
            String one = "'" + queued.get(5) + "'";
            assertThat(plan(mode, QueueSql.MARK_RETRY, "'e'", "now()", one)).as(mode).contains("messages_pkey");
            assertThat(plan(mode, QueueSql.MARK_FAILED, "'e'", "1", one)).as(mode).contains("messages_pkey");
            // the once-a-second sweep may walk the queue index while the statistics are stale
            assertThat(plan(mode, QueueSql.EXPIRE_QUEUED, "now()")).as(mode)
                    .contains("messages_queue").doesNotContain("Seq Scan");
        }
        jdbc.sql("ANALYZE messages").update(); // autovacuum's next analyze: the backlog is known
        for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
            assertThat(plan(mode, QueueSql.EXPIRE_QUEUED, "now()")).as(mode).contains("messages_queue_expiry_idx");
            assertThat(plan(mode, QueueSql.CONNECTIONS_WITH_DUE, "now()")).as(mode)
                    .contains("messages_queue_idx").doesNotContain("Seq Scan on messages");
            assertThat(plan(mode, QueueSql.findQueued(false), "'" + ID + "'", inFlight, "8")).as(mode)
                    .contains("messages_queue_idx").doesNotContain("Sort");
        }
    }

    private static String plan(String mode, String sql, String... args) {
        return Plans.explain(gw.bean(javax.sql.DataSource.class), mode, sql, args);
    }
}
