package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.Plans;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Issue 18: the claim's "which connections have a due event?" keeps its per-connection index
 * when the statistics are stale in the way a queue makes them (taken while the queue was short,
 * then thousands of events arrive). Before V24 the planner answered it from the small partial
 * index on retry_since: every active event of every connection, materialized once per claim (279
 * buffers a claim in the inbound benchmark). Checked with generic and custom plans; then, with
 * fresh statistics, the expiry sweep still has its index. The rest of the claim (one statement
 * since the ninth session) and the recorder's statements are checked the same way.
 */
class WebhookPlansIntegrationTest {

    static GatewayHarness gw;
    static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.defaults(GatewayHarness.tempDataDir("webhook-plans")));
        jdbc = gw.bean(JdbcClient.class);
        for (String id : List.of("plans_a", "plans_b", "plans_c")) {
            assertThat(gw.post("/api/connections", "{\"connection_id\":\"" + id + "\"}").status()).isEqualTo(201);
            // nothing listens there; the events below are not due, so the dispatcher leaves them alone
            assertThat(gw.admin().put("/api/connections/" + id + "/webhook", "{\"url\":\"https://example.com/" + id + "\"}")
                    .status()).isEqualTo(200);
        }
        // no analyze by autovacuum while the test runs: the statistics stay the stale ones
        jdbc.sql("ALTER TABLE webhook_deliveries SET (autovacuum_enabled = false)").update();
        insert("delivered", "now()", 20);
        jdbc.sql("ANALYZE webhook_deliveries").update(); // statistics of a short queue
        insert("delivered", "now()", 2000);
        insert("retrying", "now() + interval '1 hour'", 2000);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static void insert(String state, String nextAttempt, int perConnection) {
        jdbc.sql("""
                INSERT INTO webhook_deliveries (event_id, connection_id, event_type, body, state, next_attempt_at)
                SELECT gen_random_uuid(), c.connection_id, 'message.received', '{"seq":' || g || ',"pad":"' || repeat('x', 900) || '"}', ?,
                       """ + nextAttempt + """
                FROM connections c, generate_series(1, ?) g WHERE c.connection_id LIKE 'plans_%'""")
                .params(state, perConnection).update();
    }

    @Test
    void theQueueStatementsKeepTheirIndexesWhateverTheStatistics() {
        for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
            assertThat(claimPlan(mode)).as(mode)
                    .contains("webhook_deliveries_due_conn_idx")
                    .contains("Index Cond: ((connection_id = e.connection_id)")
                    .doesNotContain("webhook_deliveries_due_idx")
                    .doesNotContain("Seq Scan on webhook_deliveries")
                    .doesNotContain("Materialize");
            assertRecordStartsFromThePrimaryKeys(mode);
        }
        jdbc.sql("ANALYZE webhook_deliveries").update(); // autovacuum's next analyze: the backlog is known
        for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
            assertThat(claimPlan(mode)).as(mode)
                    .contains("webhook_deliveries_due_conn_idx").doesNotContain("Seq Scan on webhook_deliveries");
            assertThat(plan(mode, WebhookQueue.EXPIRE, "86400000")).as(mode).contains("webhook_deliveries_due_idx");
            assertRecordStartsFromThePrimaryKeys(mode);
        }
    }

    /**
     * The recorder's statements (the lock, then one statement writing every table for a whole
     * batch) start from the primary keys of the rows they write. The first version of the delivery
     * update joined an unnest to the table with nothing else to go on, and its plan read the whole
     * table (886 buffers a call in the inbound benchmark).
     */
    private static void assertRecordStartsFromThePrimaryKeys(String mode) {
        String ids = "'{1,2,3,4,5,6}'::bigint[]";
        String texts = "'{a,b,c,d,e,f}'::text[]";
        String ints = "'{1,2,3,4,5,6}'::int[]";
        assertThat(plan(mode, WebhookQueue.LOCK_DELIVERIES, ids)).as(mode)
                .contains("webhook_deliveries_pkey").doesNotContain("Seq Scan on webhook_deliveries");
        String bools = "'{t,f,t,f,t,f}'::boolean[]";
        String uuids = "array_fill(gen_random_uuid(), ARRAY[6])";
        String write = plan(mode, WebhookQueue.WRITE_OUTCOMES, ids, texts, ints, texts, ints, texts, ids,
                texts, ints, texts, bools, bools, texts,
                uuids, texts, texts, texts, ints, ints, texts, ints, texts, texts, texts, bools);
        assertThat(write).as(mode).contains("CTE deliveries").contains("CTE endpoints");
        assertThat(write.substring(write.indexOf("CTE deliveries"), write.indexOf("CTE endpoints"))).as(mode)
                .contains("webhook_deliveries_pkey").doesNotContain("Seq Scan on webhook_deliveries");
        assertThat(write.substring(write.indexOf("CTE endpoints"))).as(mode)
                .contains("webhook_endpoints_pkey").doesNotContain("Seq Scan on webhook_endpoints");
    }

    /**
     * The claim's plan. Besides the probe above, it takes the leases through the endpoints' primary
     * key, reads each connection's events in order from its index on (connection_id, id), and its
     * target through the connections' primary key. With fresh statistics and plain equality on
     * connection_id, the generic plan walked the whole primary key instead, filtering (the
     * statement before this one did the same); with a range instead, the custom plan read every
     * due event of the connection and sorted them.
     */
    private static String claimPlan(String mode) {
        String plan = plan(mode, WebhookQueue.CLAIM, "'{}'::text[]", "100", "'instance'", "60000", "50");
        assertThat(plan).as(mode).contains("CTE leased");
        assertThat(plan.substring(plan.indexOf("CTE leased"))).as(mode)
                .contains("webhook_endpoints_pkey").doesNotContain("Seq Scan on webhook_endpoints")
                .contains("Index Scan using webhook_deliveries_active_conn_idx on webhook_deliveries d")
                .doesNotContain("webhook_deliveries_pkey").doesNotContain("webhook_deliveries_due_conn_idx")
                .doesNotContain("Seq Scan on webhook_deliveries")
                .contains("connections_pkey");
        return plan;
    }

    private static String plan(String mode, String sql, String... args) {
        return Plans.explain(gw.bean(DataSource.class), mode, sql, args);
    }
}
