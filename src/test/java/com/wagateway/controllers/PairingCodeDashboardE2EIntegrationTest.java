package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A person links a connection with a pairing code in the browser (issue 16's browser test):
 * the real gateway (sandbox engine, its own database) driven by Debian's chromium through
 * playwright-core ({@code frontend/e2e/pairing-code-flow.mjs}). Screenshots land in
 * {@code target/e2e-screenshots/}. Needs Debian's {@code chromium} like
 * {@link DashboardE2EIntegrationTest}; {@code -DskipBrowserTests} leaves it out.
 */
class PairingCodeDashboardE2EIntegrationTest {

    @Test
    void aPersonLinksAConnectionWithAPairingCode() {
        String chromium = DashboardE2EIntegrationTest.chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        java.util.Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("dashboard-pairing"));
        // a code lives as long as the link attempt (the QR refs): the harness' ~7 s ran out at load
        // 18 between showing the code, the wrong code and the right one; a person gets minutes
        settings.put("gateway.engine.sandbox.qr-first", "60s");
        settings.put("gateway.engine.sandbox.qr-next", "20s");
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            NodeScript.Result r = NodeScript.run("e2e/pairing-code-flow.mjs", Map.of(
                    "BASE_URL", gw.baseUrl(),
                    "ADMIN_EMAIL", "admin@localhost",
                    "ADMIN_PASSWORD", "admin-password-for-tests",
                    "ADMIN_API_KEY", GatewayHarness.ADMIN_KEY,
                    "CONN_ID", "e2e_code",
                    "PHONE", "923007770000",
                    "SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString(),
                    "CHROMIUM", chromium), Duration.ofMinutes(3));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(" 0 failed");
            assertThat(gw.get("/api/connections/e2e_code").json().path("phone").asString()).isEqualTo("923007770000");
        }
    }
}
