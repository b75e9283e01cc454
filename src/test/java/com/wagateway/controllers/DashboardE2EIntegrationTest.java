package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard as a person uses it: the real gateway (sandbox engine, its own database and
 * Socket.IO port) driven by Debian's chromium through playwright-core
 * ({@code frontend/e2e/dashboard-flow.mjs}). Screenshots land in {@code target/e2e-screenshots/}.
 * Skipped only when no chromium binary exists.
 */
class DashboardE2EIntegrationTest {

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("dashboard"));
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
        assumeTrue(Files.exists(Path.of("target/classes/static/dashboard/index.html")), "dashboard not built");
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
    void aPersonLinksAPhoneAndManagesKeysInTheBrowser() {
        String chromium = chromium();
        assumeTrue(chromium != null, "no chromium binary");
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        assertThat(gw.post("/api/users", "{\"email\":\"dora@example.com\",\"password\":\"dora-password-123\",\"role\":\"user\"}").status())
                .isEqualTo(201);
        NodeScript.Result r = NodeScript.run("e2e/dashboard-flow.mjs", Map.of(
                "BASE_URL", gw.baseUrl(),
                "ADMIN_EMAIL", "admin@localhost",
                "ADMIN_PASSWORD", "admin-password-for-tests",
                "USER_EMAIL", "dora@example.com",
                "USER_PASSWORD", "dora-password-123",
                "SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString(),
                "CHROMIUM", chromium), Duration.ofMinutes(4));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(" 0 failed");
    }
}
