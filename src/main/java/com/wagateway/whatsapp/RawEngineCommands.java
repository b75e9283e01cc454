package com.wagateway.whatsapp;

import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Any {@code sandbox.<cmd>} command with hand-built arguments and its raw result: for tests and
 * the benchmark only ({@code sandbox.sent}, {@code sandbox.burst}, {@code sandbox.retryRequest},
 * which the gateway itself never sends). Production code uses the typed {@link EngineClient}.
 */
public interface RawEngineCommands {

    /** Runs {@code sandbox.<cmd>} for this connection; completes with the reply's {@code result}. */
    CompletableFuture<JsonNode> sandbox(String cmd, String connectionId, ObjectNode args);

    /** An empty argument object for {@link #sandbox}. */
    ObjectNode newArgs();
}
