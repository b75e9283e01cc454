package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The message-status order is written once per layer: SQL {@code message_status_rank} (what the
 * database lets a status move to), Java {@link MessageStatuses} (merging a batch of receipts) and
 * the dashboard's {@code message-status-order.json} (merging live updates). This test reads all
 * three, the SQL one from the real migrated database, and fails if they disagree.
 */
class MessageStatusOrderIntegrationTest {

    /** Every status a message can have, outbound and inbound. */
    static final List<String> ALL = List.of("queued", "sent", "failed", "delivered", "read", "played", "received");

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("status-order"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void sqlJavaAndTheDashboardRankEveryStatusTheSame() throws Exception {
        JsonNode json = GatewayHarness.JSON.readTree(Files.readString(Path.of("frontend/src/lib/message-status-order.json")));
        List<String> frontend = new ArrayList<>();
        json.forEach(s -> frontend.add(s.asString()));
        assertThat(frontend).as("dashboard order").isEqualTo(MessageStatuses.ORDER);

        JdbcClient jdbc = gw.bean(JdbcClient.class);
        for (String status : ALL) {
            int sql = jdbc.sql("SELECT message_status_rank(?)").param(status).query(Integer.class).single();
            int dashboard = Math.max(0, frontend.indexOf(status));
            assertThat(sql).as("SQL rank of " + status).isEqualTo(MessageStatuses.rank(status)).isEqualTo(dashboard);
        }
        // the order is strict: no two outbound statuses share a rank
        assertThat(MessageStatuses.ORDER.stream().map(MessageStatuses::rank).distinct().count())
                .isEqualTo(MessageStatuses.ORDER.size());
    }

    @Test
    void failedEndsQueuedAndSentButNeverUndoesAReceipt() {
        assertThat(MessageStatuses.rank("failed")).isGreaterThan(MessageStatuses.rank("sent"))
                .isGreaterThan(MessageStatuses.rank("queued")).isLessThan(MessageStatuses.rank("delivered"));
        assertThat(EngineMessage.ownStatus(null)).isEqualTo("sent");
        assertThat(EngineMessage.ownStatus("pending")).isEqualTo("sent");
        assertThat(EngineMessage.ownStatus("failed")).isEqualTo("failed");
        assertThat(EngineMessage.ownStatus("played")).isEqualTo("played");
        assertThat(MessageStatuses.isOutboundStatus("queued")).isFalse();
        assertThat(MessageStatuses.isOutboundStatus("failed")).isTrue();
    }
}
