package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import com.wagateway.support.WebhookReceiver;
import com.wagateway.webhooks.WebhookSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard as a person uses it: the real gateway (sandbox engine, its own database and
 * Socket.IO port) driven by Debian's chromium through playwright-core
 * ({@code frontend/e2e/dashboard-flow.mjs}), with a real webhook receiver on loopback. Screenshots
 * land in {@code target/e2e-screenshots/}.
 * Needs Debian's {@code chromium}: without it the test fails with a clear message. Leaving the
 * browser tests out must be asked for ({@code ./mvnw verify -DskipBrowserTests}).
 */
class DashboardE2EIntegrationTest {

    static final String CONN = "e2e_phone";
    static final String CONTACT = "923451112233"; // not a 92300… number the sandbox history makes up
    static final String INBOUND = "Salaam! Is my order ready?";
    static final String INBOUND_2 = "Thanks, one more question";
    static final String REPLY = "Yes, it ships today.";

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        // The contact's receipts are sent by the flow itself, one at a time: automatic ones (delivered
        // after 200 ms, read after 400 ms) can reach Baileys together under load, and Baileys then
        // merges them into one update (read), so "delivered" would legitimately never show.
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("dashboard"));
        settings.put("gateway.messaging.sandbox-receipt-delay", "0ms");
        // The QR keeps rotating (every 2 s) for a minute instead of the harness' 7 s: on a loaded
        // machine the steps before the scan can take longer than 7 s, and the QR then ran out.
        settings.put("gateway.engine.sandbox.qr-refs", "30");
        gw = GatewayHarness.start(settings);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static String chromium() {
        for (String p : new String[] {System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (p != null && Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    @Test
    void theDashboardIsServedWithSpaFallback() {
        assertThat(Path.of("target/classes/static/dashboard/index.html")).as("the dashboard is built by the Maven build").exists();
        ApiClient anon = gw.anonymous();
        ApiClient.Response index = anon.get("/dashboard/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).startsWith("text/html");
        assertThat(index.raw()).contains("<div id=\"root\">");
        ApiClient.Response route = anon.get("/dashboard/connections/anything");
        assertThat(route.status()).isEqualTo(200);
        assertThat(route.raw()).isEqualTo(index.raw());
        assertThat(anon.get("/dashboard/assets/missing-file.js").status()).isEqualTo(404);
        assertThat(anon.get("/dashboard").status()).isEqualTo(302);
        assertThat(anon.get("/dashboard").headers().firstValue("location").orElse("")).endsWith("/dashboard/");
    }

    @Test
    void aPersonLinksAPhoneChatsWithWebhooksAndManagesKeysInTheBrowser() {
        String chromium = chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        assertThat(gw.post("/api/users", "{\"email\":\"dora@example.com\",\"password\":\"dora-password-123\",\"role\":\"user\"}").status())
                .isEqualTo(201);
        Path secretFile = GatewayHarness.tempDataDir("dashboard-secret").resolve("webhook-secret");
        try (WebhookReceiver receiver = WebhookReceiver.up()) {
            NodeScript.Result r = NodeScript.run("e2e/dashboard-flow.mjs", Map.ofEntries(
                    Map.entry("BASE_URL", gw.baseUrl()),
                    Map.entry("ADMIN_EMAIL", "admin@localhost"),
                    Map.entry("ADMIN_PASSWORD", "admin-password-for-tests"),
                    Map.entry("ADMIN_API_KEY", GatewayHarness.ADMIN_KEY),
                    Map.entry("USER_EMAIL", "dora@example.com"),
                    Map.entry("USER_PASSWORD", "dora-password-123"),
                    Map.entry("WEBHOOK_URL", receiver.url()),
                    Map.entry("WEBHOOK_SECRET_FILE", secretFile.toString()),
                    Map.entry("CONTACT_PHONE", CONTACT),
                    Map.entry("INBOUND_TEXT", INBOUND),
                    Map.entry("INBOUND_TEXT_2", INBOUND_2),
                    Map.entry("REPLY_TEXT", REPLY),
                    Map.entry("SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString()),
                    Map.entry("CHROMIUM", chromium)), Duration.ofMinutes(4));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(" 0 failed");
            receiverGotTheFlowsEvents(receiver, readSecret(secretFile));
        }
    }

    /**
     * What the browser did reached the webhook receiver, signed with the secret the page showed:
     * the contact's two messages, the typed reply, its delivered and read statuses, the test.
     */
    private static void receiverGotTheFlowsEvents(WebhookReceiver receiver, String secret) {
        List<WebhookReceiver.Received> got = receiver.await(all -> all.stream()
                .filter(x -> "message.status".equals(x.event())).count() >= 2, Duration.ofSeconds(10));
        assertThat(got).allSatisfy(x -> assertThat(x.signature())
                .isEqualTo(WebhookSignature.sign(secret, Long.parseLong(x.timestamp()), x.body())));
        assertThat(got).allSatisfy(x -> assertThat(x.json().path("connection_id").asString()).isEqualTo(CONN));
        List<JsonNode> received = bodies(got, "message.received");
        assertThat(received).extracting(j -> j.path("message").asString()).containsExactlyInAnyOrder(INBOUND, INBOUND_2);
        assertThat(received).allSatisfy(j -> {
            assertThat(j.path("from").asString()).isEqualTo(CONTACT);
            assertThat(j.path("push_name").asString()).isEqualTo("Ali Khan");
        });
        List<JsonNode> sent = bodies(got, "message.sent");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).path("message").asString()).isEqualTo(REPLY);
        assertThat(sent.get(0).path("to").asString()).isEqualTo(CONTACT);
        String clientId = sent.get(0).path("client_message_id").asString();
        assertThat(clientId).isNotBlank();
        assertThat(bodies(got, "message.status")).allSatisfy(j -> assertThat(j.path("client_message_id").asString()).isEqualTo(clientId))
                .extracting(j -> j.path("status").asString()).containsExactlyInAnyOrder("delivered", "read");
        assertThat(bodies(got, "webhook.test")).hasSize(1);
    }

    private static List<JsonNode> bodies(List<WebhookReceiver.Received> got, String event) {
        return got.stream().filter(x -> event.equals(x.event())).map(WebhookReceiver.Received::json).toList();
    }

    private static String readSecret(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new AssertionError("the flow wrote no webhook secret to " + file, e);
        }
    }
}
