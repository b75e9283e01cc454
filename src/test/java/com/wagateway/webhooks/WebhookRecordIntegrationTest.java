package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wagateway.webhooks.DeliveryRows.Attempt;
import com.wagateway.webhooks.DeliveryRows.ClaimResult;
import com.wagateway.webhooks.DeliveryRows.Delivery;
import com.wagateway.webhooks.DeliveryRows.EndpointUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue 18: finished claims are written back with one statement per table, whatever their number
 * ({@link WebhookQueue#record}). One batch mixes what a recorder meets: deliveries that succeeded,
 * failed for a retry, were finished meanwhile by someone else (webhook removed), and whose
 * connection was deleted; each must end exactly as it did when every row had a statement of its own.
 * The other writers of the same rows (a webhook's removal, the expiry sweep) lock them in the same
 * order, by id.
 */
class WebhookRecordIntegrationTest extends WebhookIntegrationBase {

    private static final String URL = "http://127.0.0.1:9/hook";

    @Test
    void aMixedBatchIsRecordedAsEachAttemptSays() {
        for (String id : List.of("rec_a", "rec_b", "rec_c", "rec_d")) {
            create(id);
            putWebhook(id, URL, null);
        }
        JdbcClient jdbc = gw.bean(JdbcClient.class);
        // held by another instance: the dispatcher of this gateway leaves these events alone
        jdbc.sql("UPDATE webhook_endpoints SET leased_by = 'elsewhere', leased_until = now() + interval '1 hour' "
                + "WHERE connection_id LIKE 'rec\\_%'").update();
        for (String id : List.of("rec_a", "rec_b", "rec_c", "rec_d")) {
            assertThat(enqueue(id, id.equals("rec_d") ? 2 : 5)).isPositive();
        }
        Map<String, List<Delivery>> d = Map.of("rec_a", deliveries("rec_a"), "rec_b", deliveries("rec_b"),
                "rec_c", deliveries("rec_c"), "rec_d", deliveries("rec_d"));
        assertThat(gw.delete("/api/connections/rec_c/webhook").status()).isEqualTo(200);
        assertThat(gw.delete("/api/connections/rec_d").status()).isEqualTo(200);
        Instant later = Instant.now().plus(1, ChronoUnit.HOURS);

        List<Attempt> a = d.get("rec_a").stream().map(x -> attempt(x, 200, null, "delivered", null)).toList();
        List<Attempt> b = new ArrayList<>();
        for (Delivery x : d.get("rec_b")) {
            b.add(x.id() < d.get("rec_b").get(2).id() ? attempt(x, 200, null, "delivered", null)
                    : attempt(x, 500, "HTTP 500", "retrying", later));
        }
        List<Attempt> c = new ArrayList<>();
        for (Delivery x : d.get("rec_c")) {
            c.add(x == d.get("rec_c").get(4) ? attempt(x, 200, null, "delivered", null)
                    : attempt(x, null, "connection refused", "retrying", later));
        }
        List<Attempt> gone = d.get("rec_d").stream().map(x -> attempt(x, 200, null, "delivered", null)).toList();
        List<ClaimResult> batch = List.of(
                new ClaimResult("rec_c", c, new EndpointUpdate("rec_c", 1, null, true, true)),
                new ClaimResult("rec_d", gone, new EndpointUpdate("rec_d", 0, null, true, false)),
                new ClaimResult("rec_b", b, new EndpointUpdate("rec_b", 1, later, true, true)),
                new ClaimResult("rec_a", a, new EndpointUpdate("rec_a", 0, null, true, false)));

        List<Attempt> applied = gw.bean(WebhookQueue.class).record(batch);

        assertThat(applied).hasSize(17);
        assertThat(applied.stream().map(x -> x.delivery().id()).toList()).isSorted();
        for (Attempt x : applied) {
            String conn = x.delivery().connectionId();
            boolean removed = conn.equals("rec_c") && x.delivery() != d.get("rec_c").get(4);
            assertThat(x.state()).as(conn).isEqualTo(removed ? "failed" : original(batch, x).state());
            assertThat(x.error()).as(conn).isEqualTo(removed ? "webhook removed" : original(batch, x).error());
        }
        assertThat(states("rec_a")).containsExactly("delivered", "delivered", "delivered", "delivered", "delivered");
        assertThat(states("rec_b")).containsExactly("delivered", "delivered", "retrying", "retrying", "retrying");
        assertThat(states("rec_c")).containsExactly("failed", "failed", "failed", "failed", "delivered");
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'rec_b' AND state = 'retrying' "
                + "AND attempts = 1 AND last_status = 500 AND last_error = 'HTTP 500' "
                + "AND next_attempt_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'")).isEqualTo(3);
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'rec_a' AND attempts = 1 "
                + "AND delivered_at IS NOT NULL AND last_attempt_at IS NOT NULL")).isEqualTo(5);
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'rec_c' AND state = 'failed' "
                + "AND last_error = 'webhook removed' AND attempts = 0")).isEqualTo(4);

        // the log: one row per attempt of an existing connection, in the order recorded, with its body
        List<JsonNode> logsA = allLogs("rec_a");
        assertThat(logsA).hasSize(5);
        assertThat(logsA.stream().map(l -> l.path("request_payload").path("seq").asInt()).toList())
                .containsExactly(4, 3, 2, 1, 0);
        assertThat(logsA).allSatisfy(l -> {
            assertThat(l.path("state").asString()).isEqualTo("delivered");
            assertThat(l.path("response_status").asInt()).isEqualTo(200);
            assertThat(l.path("latency_ms").asInt()).isEqualTo(7);
            assertThat(l.path("url").asString()).isEqualTo(URL);
        });
        List<JsonNode> logsB = allLogs("rec_b");
        assertThat(logsB.stream().map(l -> l.path("state").asString()).toList())
                .containsExactly("retrying", "retrying", "retrying", "delivered", "delivered");
        assertThat(logsB.get(0).path("next_attempt_at").isNull()).isFalse();
        assertThat(logsB.get(0).path("error").asString()).isEqualTo("HTTP 500");
        assertThat(allLogs("rec_c").stream().map(l -> l.path("state").asString() + "/" + l.path("error").asString("")).toList())
                .containsExactly("delivered/", "failed/webhook removed", "failed/webhook removed", "failed/webhook removed",
                        "failed/webhook removed");
        assertThat(gw.count("SELECT count(*) FROM webhook_logs WHERE connection_id = 'rec_d'")).isZero();
        assertThat(gw.count("SELECT count(*) FROM webhook_logs l JOIN webhook_logs m ON m.event_id = l.event_id "
                + "AND m.id <> l.id WHERE l.connection_id LIKE 'rec\\_%'")).as("one log row per attempt").isZero();

        // the endpoints: leases given back, failures and pause as the claims left them
        assertThat(gw.count("SELECT count(*) FROM webhook_endpoints WHERE connection_id = 'rec_a' AND leased_by IS NULL "
                + "AND leased_until IS NULL AND failures = 0 AND paused_until IS NULL AND last_success_at IS NOT NULL "
                + "AND last_failure_at IS NULL")).isEqualTo(1);
        assertThat(gw.count("SELECT count(*) FROM webhook_endpoints WHERE connection_id = 'rec_b' AND leased_by IS NULL "
                + "AND failures = 1 AND paused_until BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes' "
                + "AND last_success_at IS NOT NULL AND last_failure_at IS NOT NULL")).isEqualTo(1);
    }

    /**
     * Removing a webhook while its events are being recorded waits for the record instead of
     * deadlocking with it: the removal locks the events before the endpoint row, in the record's
     * order. The record is played on a connection of its own, held between its two steps: the
     * events are locked (as {@link WebhookQueue#LOCK_DELIVERIES} does), the removal is started and
     * seen waiting, and only then is the endpoint row taken, with {@code NOWAIT}: it must be free.
     * With the endpoint deleted first (the order until the tenth session) it was not, and in the
     * benchmark PostgreSQL aborted one of the two.
     */
    @Test
    void aWebhookRemovedWhileItsEventsAreRecordedWaitsForTheRecord() throws Exception {
        Long[] ids = threeEventsLeasedElsewhere("rec_rm").toArray(Long[]::new);
        ExecutorService remover = Executors.newSingleThreadExecutor();
        try (Connection record = gw.bean(DataSource.class).getConnection()) {
            record.setAutoCommit(false);
            try (PreparedStatement lock = record.prepareStatement(WebhookQueue.LOCK_DELIVERIES)) {
                lock.setArray(1, record.createArrayOf("bigint", ids));
                lock.executeQuery().close();
            }
            Future<Integer> removal = remover.submit(() -> gw.delete("/api/connections/rec_rm/webhook").status());
            awaitTrue("the removal waits for the locked events", () -> gw.count("""
                    SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE NOT l.granted AND a.query LIKE 'UPDATE webhook_deliveries SET state = ''failed'', last_error = ''webhook removed''%'
                    """) > 0);
            try (Statement st = record.createStatement()) {
                st.execute("SELECT 1 FROM webhook_endpoints WHERE connection_id = 'rec_rm' FOR UPDATE NOWAIT");
                st.executeUpdate("UPDATE webhook_endpoints SET leased_by = NULL, leased_until = NULL WHERE connection_id = 'rec_rm'");
            }
            record.commit();
            assertThat(removal.get(15, TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            remover.shutdownNow();
        }
        assertThat(states("rec_rm")).containsExactly("failed", "failed", "failed");
        assertThat(gw.count("SELECT count(*) FROM webhook_endpoints WHERE connection_id = 'rec_rm'")).isZero();
    }

    /**
     * The expiry sweep locks its rows in id order, like every other multi-row writer. The events'
     * {@code retry_since} and their place in the table are made the reverse of their ids (the
     * orders a plain {@code UPDATE} would lock them in, by index or by table scan); the newest
     * event is held, and once the sweep waits for it, the oldest must already be the sweep's.
     * With the plain {@code UPDATE} (until the eleventh session) it was still free.
     */
    @Test
    void theExpirySweepLocksItsEventsInIdOrder() throws Exception {
        // leased elsewhere while the events are aged: no sweep of this gateway takes them early
        List<Long> ids = threeEventsLeasedElsewhere("rec_exp");
        JdbcClient jdbc = gw.bean(JdbcClient.class);
        for (int i = ids.size() - 1; i >= 0; i--) { // newest first (its row version comes first in the table), and oldest retry_since
            jdbc.sql("UPDATE webhook_deliveries SET retry_since = now() - (2 + ?) * interval '1 day' WHERE id = ?")
                    .params(i, ids.get(i)).update();
        }
        ExecutorService sweeper = Executors.newSingleThreadExecutor();
        try (Connection holder = gw.bean(DataSource.class).getConnection()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT 1 FROM webhook_deliveries WHERE id = " + ids.get(2) + " FOR UPDATE");
            }
            jdbc.sql("UPDATE webhook_endpoints SET leased_by = NULL, leased_until = NULL WHERE connection_id = 'rec_exp'").update();
            Future<List<Attempt>> sweep = sweeper.submit(() -> gw.bean(WebhookQueue.class).expire(java.time.Duration.ofDays(1)));
            awaitTrue("the sweep waits for the held event", () -> gw.count("""
                    SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE NOT l.granted AND a.query LIKE '%UPDATE webhook_deliveries d SET state = ''failed'', last_error = ''expired''%'
                    """) > 0);
            try (Statement st = holder.createStatement()) {
                assertThatThrownBy(() -> st.execute("SELECT 1 FROM webhook_deliveries WHERE id = " + ids.get(0) + " FOR UPDATE NOWAIT"))
                        .as("the oldest event is locked by the sweep before it waits for the newest")
                        .hasMessageContaining("could not obtain lock");
            }
            holder.rollback();
            sweep.get(15, TimeUnit.SECONDS);
        } finally {
            sweeper.shutdownNow();
        }
        assertThat(states("rec_exp")).containsExactly("failed", "failed", "failed");
        assertThat(gw.count("SELECT count(*) FROM webhook_deliveries WHERE connection_id = 'rec_exp' AND last_error = 'expired'"))
                .isEqualTo(3);
    }

    /**
     * A connection with a webhook whose endpoint another instance holds for an hour (so this
     * gateway's dispatcher and sweep leave its events alone), and three queued events: their ids.
     */
    private static List<Long> threeEventsLeasedElsewhere(String connectionId) {
        create(connectionId);
        putWebhook(connectionId, URL, null);
        gw.bean(JdbcClient.class).sql("UPDATE webhook_endpoints SET leased_by = 'elsewhere', "
                + "leased_until = now() + interval '1 hour' WHERE connection_id = ?").param(connectionId).update();
        assertThat(enqueue(connectionId, 3)).isPositive();
        return deliveries(connectionId).stream().map(Delivery::id).toList();
    }

    private static List<Delivery> deliveries(String connectionId) {
        return gw.bean(JdbcClient.class).sql("SELECT id, event_id, connection_id, event_type, body, attempts, retry_since "
                        + "FROM webhook_deliveries WHERE connection_id = ? ORDER BY id")
                .param(connectionId)
                .query((rs, n) -> new Delivery(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant()))
                .list();
    }

    private static Attempt attempt(Delivery d, Integer status, String error, String state, Instant next) {
        return new Attempt(d, URL, d.attempts() + 1, status, status == null ? null : "ok", 7L, error, state, next, false);
    }

    private static Attempt original(List<ClaimResult> batch, Attempt x) {
        return batch.stream().flatMap(r -> r.attempts().stream()).filter(o -> o.delivery() == x.delivery()).findFirst()
                .orElseThrow();
    }

    private static List<String> states(String connectionId) {
        return gw.bean(JdbcClient.class).sql("SELECT state FROM webhook_deliveries WHERE connection_id = ? ORDER BY id")
                .param(connectionId).query(String.class).list();
    }
}
