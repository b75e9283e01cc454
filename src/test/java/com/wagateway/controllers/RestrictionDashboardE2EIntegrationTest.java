package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A person sees WhatsApp's account restriction on the connection's page (issue 16 part 6's
 * browser check): the real gateway (sandbox engine, its own database) driven by Debian's chromium
 * through playwright-core ({@code frontend/e2e/restriction-flow.mjs}): the banner appears live
 * with reason and end time when the emulator restricts the account, and goes when it is lifted.
 * Screenshots land in {@code target/e2e-screenshots/}. Needs Debian's {@code chromium} like
 * {@link DashboardE2EIntegrationTest}; {@code -DskipBrowserTests} leaves it out.
 */
class RestrictionDashboardE2EIntegrationTest {

    @Test
    void aPersonSeesTheRestrictionBannerComeAndGo() {
        String chromium = DashboardE2EIntegrationTest.chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.tempDataDir("dashboard-restriction"))) {
            NodeScript.Result r = NodeScript.run("e2e/restriction-flow.mjs", Map.of(
                    "BASE_URL", gw.baseUrl(),
                    "ADMIN_EMAIL", "admin@localhost",
                    "ADMIN_PASSWORD", "admin-password-for-tests",
                    "ADMIN_API_KEY", GatewayHarness.ADMIN_KEY,
                    "CONN_ID", "e2e_restricted",
                    "PHONE", "923007771111",
                    "SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString(),
                    "CHROMIUM", chromium), Duration.ofMinutes(3));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(" 0 failed");
            assertThat(gw.get("/api/connections/e2e_restricted").json().path("restricted").isNull()).isTrue();
        }
    }
}
