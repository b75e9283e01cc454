package com.wagateway.support;

import java.nio.file.Path;
import java.util.Map;

/** Harness settings for one node of an in-JVM test cluster (issue 17): a Spring context of its own beside the others. */
public final class ClusterNode {

    private ClusterNode() {
    }

    /**
     * The harness defaults in {@code root/nodeId} plus what makes them one node of a cluster: its
     * own {@code NODE_ID}, the cluster's shared database, {@code SESSIONS_DIR} and emulator, and a
     * 6 s lease so that a takeover happens well within a test's wait. Each test adds its own
     * rebalance pace and timeouts.
     */
    public static Map<String, String> settings(Path root, String nodeId, Path sessions, String emulatorUrl, String databaseUrl) {
        Map<String, String> p = GatewayHarness.defaults(root.resolve(nodeId));
        p.put("gateway.sessions-dir", sessions.toString());
        p.put("gateway.engine.sandbox.emulator-url", emulatorUrl);
        p.put("gateway.cluster.node-id", nodeId);
        p.put("gateway.cluster.lease-ttl", "6s");
        p.put("gateway.database-url", databaseUrl);
        return p;
    }
}
