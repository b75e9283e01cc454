package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A message queued longer than {@code SEND_QUEUE_TTL} ends {@code failed} with the reason and is never sent. */
class SendQueueExpiryIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        Map<String, String> s = GatewayHarness.defaults(GatewayHarness.tempDataDir("send-ttl"));
        s.put("gateway.lifecycle.reconnect-base", "6s");
        s.put("gateway.lifecycle.reconnect-max", "6s");
        s.put("gateway.messaging.send-queue-ttl", "1s");
        gw = GatewayHarness.start(s);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anExpiredQueuedMessageFailsAndIsNeverSent() {
        String id = "ttl_1";
        gw.link(id, "923008880009");
        gw.post("/api/sandbox/" + id + "/drop", "{\"code\":428}");
        gw.awaitStatus(id, "reconnecting", Duration.ofSeconds(5));
        ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"" + id
                + "\",\"to\":\"923001239999\",\"message\":\"too late\",\"client_message_id\":\"ttl-a\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode m = null;
        while (System.nanoTime() < deadline) {
            m = gw.get("/api/connections/" + id + "/messages/ttl-a").json();
            if ("failed".equals(m.path("status").asString())) {
                break;
            }
            GatewayHarness.sleep(100);
        }
        assertThat(m.path("status").asString()).isEqualTo("failed");
        assertThat(m.path("error").asString()).contains("SEND_QUEUE_TTL");
        gw.awaitStatus(id, "ready", Duration.ofSeconds(15));
        // marker: the queue drains oldest first, so once a later message is sent the expired one
        // has had its turn
        ApiClient.Response later = gw.post("/api/send-message", "{\"connection_id\":\"" + id
                + "\",\"to\":\"923001239999\",\"message\":\"in time\",\"client_message_id\":\"ttl-b\"}");
        assertThat(later.status()).as(later.raw()).isIn(200, 202);
        String laterId = later.json().path("provider_message_id").asString();
        long sentBy = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (gw.sandboxSentCount(id, laterId) == 0 && System.nanoTime() < sentBy) {
            GatewayHarness.sleep(50);
        }
        assertThat(gw.sandboxSentCount(id, laterId)).as("the later message was sent").isEqualTo(1);
        assertThat(gw.get("/api/connections/" + id + "/messages/ttl-a").json().path("status").asString()).isEqualTo("failed");
        assertThat(gw.sandboxSentCount(id, m.path("provider_message_id").asString())).isZero();
    }
}
