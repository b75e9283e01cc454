package com.wagateway.whatsapp;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where an engine command for a connection runs when this node may not run its socket (issue 17:
 * any node answers any request, only the lease owner talks to WhatsApp). Implemented outside the
 * engine package (it needs the leases); the {@link EngineSupervisor} asks it before every command
 * except the lifecycle's own ({@code start}, {@code stop}, {@code purge}), which always act on
 * this node's engine.
 */
public interface CommandRoute {

    /**
     * Empty: run the command here (this node owns the connection, or no live node does). Otherwise
     * the owner's answer: the reply's {@code result} as JSON text (null: none), or exceptionally the
     * owner's {@link EngineException} (an {@link EngineException.OwnerUnreachable} when it did not
     * answer). Arguments and results cross as JSON text, so no protocol tree leaves this package.
     */
    Optional<CompletableFuture<String>> elsewhere(String command, String connectionId, String argsJson);
}
