package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** With {@code WEBHOOK_ALLOW_PRIVATE_NETWORKS=false} (the default) private targets are refused, also at delivery time. */
class WebhookPrivateNetworkIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("webhook-private"));
        settings.put("gateway.webhooks.allow-private-networks", "false");
        gw = GatewayHarness.start(settings);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void privateNetworkUrlsAreRefusedWith400() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"whp_a\"}").status()).isEqualTo(201);
        for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/x",
                "http://192.168.1.10/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x")) {
            ApiClient.Response r = gw.admin().put("/api/connections/whp_a/webhook", "{\"url\":\"" + url + "\"}");
            assertThat(r.status()).as(url).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asString()).as(url).isEqualTo("private_network");
            assertThat(r.json().path("error").path("field").asString()).isEqualTo("url");
        }
        assertThat(gw.get("/api/connections/whp_a/webhook").json().path("url").isNull()).isTrue();
        ApiClient.Response created = gw.post("/api/connections",
                "{\"connection_id\":\"whp_b\",\"webhook_url\":\"http://127.0.0.1:9/hook\"}");
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.json().path("error").path("code").asString()).isEqualTo("private_network");
        assertThat(gw.get("/api/connections/whp_b").status()).isEqualTo(404);
    }

    /**
     * IPv6 forms that lead to a private IPv4 address (IPv4-compatible ::/96, mapped, NAT64, 6to4,
     * Teredo) are refused on PUT and on create, pointed at a live receiver, and nothing is stored.
     */
    @Test
    void ipv6FormsOfAPrivateIpv4AddressAreRefusedAndNothingIsStored() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            int port = java.net.URI.create(rx.url()).getPort();
            assertThat(gw.post("/api/connections", "{\"connection_id\":\"whp_v6\"}").status()).isEqualTo(201);
            for (String host : List.of("[::127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]",
                    "[2001:0:0:0:0:0:80ff:fffe]")) {
                String url = "http://" + host + ":" + port + "/";
                ApiClient.Response put = gw.admin().put("/api/connections/whp_v6/webhook", "{\"url\":\"" + url + "\"}");
                assertThat(put.status()).as(url + " " + put.raw()).isEqualTo(400);
                assertThat(put.json().path("error").path("code").asString()).as(url).isEqualTo("private_network");
                assertThat(put.json().path("error").path("field").asString()).isEqualTo("url");
                ApiClient.Response created = gw.post("/api/connections",
                        "{\"connection_id\":\"whp_v6_new\",\"webhook_url\":\"" + url + "\"}");
                assertThat(created.status()).as(url + " " + created.raw()).isEqualTo(400);
                assertThat(created.json().path("error").path("code").asString()).as(url).isEqualTo("private_network");
            }
            assertThat(gw.get("/api/connections/whp_v6/webhook").json().path("url").isNull()).isTrue();
            assertThat(gw.count("SELECT count(*) FROM connections WHERE connection_id = 'whp_v6' AND webhook_url IS NOT NULL")).isZero();
            assertThat(gw.count("SELECT count(*) FROM connections WHERE connection_id = 'whp_v6_new'")).isZero();
            assertThat(rx.received()).isEmpty();
        }
    }

    @Test
    void anAddressThatBecamePrivateIsRefusedAtDeliveryTime() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            assertThat(gw.post("/api/connections", "{\"connection_id\":\"whp_c\"}").status()).isEqualTo(201);
            // as if the name resolved publicly when saved and points inward now
            gw.bean(JdbcClient.class).sql("UPDATE connections SET webhook_url = ?, webhook_secret = 'whsec_x' WHERE connection_id = 'whp_c'")
                    .param(rx.url()).update();
            gw.bean(JdbcClient.class).sql("INSERT INTO webhook_endpoints (connection_id) VALUES ('whp_c')").update();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("event", "message.received");
            p.put("connection_id", "whp_c");
            Integer n = new TransactionTemplate(gw.bean(PlatformTransactionManager.class)).execute(s ->
                    gw.bean(WebhookOutbox.class).enqueue(List.of(new WebhookEvent("whp_c", "message.received", p))));
            assertThat(n).isEqualTo(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            JsonNode logs = null;
            while (System.nanoTime() < deadline) {
                logs = gw.get("/api/connections/whp_c/webhook-logs").json().path("logs");
                if (!logs.isEmpty()) {
                    break;
                }
                GatewayHarness.sleep(50);
            }
            assertThat(logs).hasSize(1);
            assertThat(logs.get(0).path("state").asString()).isEqualTo("failed");
            assertThat(logs.get(0).path("error").asString()).startsWith("private_network");
            assertThat(rx.received()).isEmpty();
        }
    }
}
