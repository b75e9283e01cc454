package com.wagateway.support;

import java.nio.file.Path;
import java.util.Map;

/** Harness settings for AUTH_STORE=postgres (issue 17 part 2). */
public final class PostgresAuth {

    /** A fixed test key (32 bytes, base64). Only tests use it. */
    public static final String KEY = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    /** Another valid key, for the wrong-key refusal. */
    public static final String OTHER_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private PostgresAuth() {
    }

    /** The harness defaults with auth state in PostgreSQL under {@code key}. */
    public static Map<String, String> settings(Path dataDir, String key) {
        Map<String, String> s = GatewayHarness.defaults(dataDir);
        s.put("gateway.auth.store", "postgres");
        s.put("gateway.auth.encryption-key", key);
        return s;
    }
}
