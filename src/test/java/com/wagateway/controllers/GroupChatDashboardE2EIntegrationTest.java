package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A person opens a group chat in the browser and sees who wrote each message (issue 16's browser
 * test, groups): the real gateway (sandbox engine, its own database) driven by Debian's chromium
 * through playwright-core ({@code frontend/e2e/group-chat-flow.mjs}). Screenshots land in
 * {@code target/e2e-screenshots/}. Needs Debian's {@code chromium} like
 * {@link DashboardE2EIntegrationTest}; {@code -DskipBrowserTests} leaves it out.
 */
class GroupChatDashboardE2EIntegrationTest {

    @Test
    void aPersonOpensAGroupChatAndSeesSenderNames() {
        String chromium = DashboardE2EIntegrationTest.chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.tempDataDir("dashboard-groups"))) {
            NodeScript.Result r = NodeScript.run("e2e/group-chat-flow.mjs", Map.of(
                    "BASE_URL", gw.baseUrl(),
                    "ADMIN_EMAIL", "admin@localhost",
                    "ADMIN_PASSWORD", "admin-password-for-tests",
                    "ADMIN_API_KEY", GatewayHarness.ADMIN_KEY,
                    "CONN_ID", "e2e_group",
                    "PHONE", "923007771000",
                    "SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString(),
                    "CHROMIUM", chromium), Duration.ofMinutes(4));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(" 0 failed");
            // what the browser showed is what was stored: the group chat, named by its subject
            assertThat(gw.count("SELECT count(*) FROM chats WHERE connection_id = 'e2e_group' AND is_group AND name = 'Weekend team'")).isEqualTo(1);
        }
    }
}
