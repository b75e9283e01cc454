package com.wagateway.whatsapp;

import com.wagateway.config.GatewayProperties;
import com.wagateway.shared.Threads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's requests to Java ({@code getMessage}, the {@code auth.*} store of
 * {@code AUTH_STORE=postgres}), answered on a small pool of their own so a database lookup never
 * delays the engine's events, and always to the process that asked.
 */
final class EngineRequests {

    private static final Logger log = LoggerFactory.getLogger(EngineRequests.class);

    private final GatewayProperties props;
    private final ObjectProvider<EngineRequestHandler> handlers;
    private final ObjectProvider<EngineAuthStore> authStores;
    private final JsonMapper json;
    private final ExecutorService requests = Executors.newFixedThreadPool(4, Threads.named("engine-requests"));

    EngineRequests(GatewayProperties props, ObjectProvider<EngineRequestHandler> handlers,
                   ObjectProvider<EngineAuthStore> authStores, JsonMapper json) {
        this.props = props;
        this.handlers = handlers;
        this.authStores = authStores;
        this.json = json;
    }

    /** Stops answering (shutdown): requests still queued are dropped; the engine times them out. */
    void shutdownNow() {
        requests.shutdownNow();
    }

    /**
     * Answers an engine request (e.g. {@code getMessage}) off the event thread, so a database
     * lookup never delays events. An unknown request, a request without a handler, or one whose
     * handler fails, is answered with a null result, always by the process that asked — the engine then tells Baileys "nothing", as
     * the protocol says. A {@code getMessage} for an unknown message is {@code {"message":null}}.
     */
    void submit(EngineSlot slot, JsonNode line) {
        String requestId = line.path("id").asString("");
        String request = line.path("request").asString("");
        String connectionId = line.path("connectionId").asString(null);
        try {
            requests.execute(() -> {
                JsonNode result = null;
                EngineRequestHandler handler = handlers.getIfAvailable();
                if (handler != null && connectionId != null) {
                    try {
                        result = answer(handler, request, connectionId, line.path("data"));
                    } catch (RuntimeException e) {
                        log.warn("[{}] engine request '{}' failed: {}", connectionId, request, e.getMessage());
                    }
                }
                ObjectNode a = json.createObjectNode();
                a.put("requestId", requestId);
                a.set("result", result);
                slot.respond(a); // to the process that asked
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("dropping engine request during shutdown");
        }
    }

    /** The {@code result} of a request, built from the handler's typed answer; null for an unknown request. */
    private JsonNode answer(EngineRequestHandler handler, String request, String connectionId, JsonNode data) {
        if (AuthRequests.handles(request)) {
            return AuthRequests.answer(props.auth().isPostgres() ? authStores.getIfAvailable() : null, request, connectionId, data, json);
        }
        if (!"getMessage".equals(request)) {
            return null;
        }
        String id = data.path("key").path("id").asString(null);
        String content = id == null ? null : handler.storedContent(connectionId, id);
        ObjectNode result = json.createObjectNode();
        result.set("message", content == null ? null : json.readTree(content));
        return result;
    }
}
