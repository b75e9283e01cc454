package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An admin sees the gateway nodes and which node runs which connection (issue 17's Nodes page):
 * the real gateway (sandbox engine, its own database, {@code NODE_ID} set) driven by Debian's
 * chromium through playwright-core ({@code frontend/e2e/nodes-flow.mjs}). Screenshots land in
 * {@code target/e2e-screenshots/}. Needs Debian's {@code chromium} like
 * {@link DashboardE2EIntegrationTest}; {@code -DskipBrowserTests} leaves it out.
 */
class NodesDashboardE2EIntegrationTest {

    @Test
    void anAdminSeesTheNodesAndTheirConnections() {
        String chromium = DashboardE2EIntegrationTest.chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("dashboard-nodes"));
        settings.put("gateway.cluster.node-id", "node-e2e");
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            NodeScript.Result r = NodeScript.run("e2e/nodes-flow.mjs", Map.of(
                    "BASE_URL", gw.baseUrl(),
                    "ADMIN_EMAIL", "admin@localhost",
                    "ADMIN_PASSWORD", "admin-password-for-tests",
                    "ADMIN_API_KEY", GatewayHarness.ADMIN_KEY,
                    "CONN_ID", "e2e_nodes",
                    "NODE_ID", "node-e2e",
                    "SCREENSHOT_DIR", Path.of("target", "e2e-screenshots").toAbsolutePath().toString(),
                    "CHROMIUM", chromium), Duration.ofMinutes(3));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(" 0 failed");
        }
    }
}
