package com.wagateway.whatsapp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates the engine's {@code auth.*} requests to {@link EngineAuthStore} calls and back.
 * Guarantees: every request gets a result — the data, or {@code {"error":{code,message}}} when
 * the arguments are malformed, no store is configured, or the store failed — so the engine never
 * takes a failed write for a committed one. Messages never carry key material.
 */
final class AuthRequests {

    private static final Logger log = LoggerFactory.getLogger(AuthRequests.class);
    /** Baileys asks for at most a few hundred ids at once (pre-keys); this bounds a malformed request. */
    private static final int MAX_IDS = 5000;

    private AuthRequests() {
    }

    static boolean handles(String request) {
        return request.startsWith("auth.");
    }

    /** The {@code result} for one request. */
    static JsonNode answer(EngineAuthStore store, String request, String connectionId, JsonNode data, JsonMapper json) {
        ObjectNode result = json.createObjectNode();
        if (store == null) {
            return error(result, "invalid_state", "this gateway runs with AUTH_STORE=files");
        }
        try {
            switch (request) {
                case "auth.load" -> load(store, connectionId, data, result);
                case "auth.save" -> save(store, connectionId, data, result);
                case "auth.clear" -> result.put("removed", store.clear(connectionId));
                default -> error(result, "bad_request", "unknown auth request " + request);
            }
            return result;
        } catch (IllegalArgumentException e) {
            return error(json.createObjectNode(), "bad_request", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("[{}] {} failed: {}", connectionId, request, e.getClass().getSimpleName());
            return error(json.createObjectNode(), "internal", request + " failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void load(EngineAuthStore store, String connectionId, JsonNode data, ObjectNode result) {
        if (data.path("creds").asBoolean(false)) {
            result.put("creds", store.loadCreds(connectionId));
            return;
        }
        String type = text(data.path("type"), "type");
        JsonNode ids = data.path("ids");
        if (!ids.isArray() || ids.size() > MAX_IDS) {
            throw new IllegalArgumentException("ids must be an array of at most " + MAX_IDS + " strings");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode id : ids) {
            list.add(text(id, "ids[]"));
        }
        ObjectNode keys = result.putObject("keys");
        for (Map.Entry<String, String> e : store.loadKeys(connectionId, type, list).entrySet()) {
            keys.put(e.getKey(), e.getValue());
        }
    }

    private static void save(EngineAuthStore store, String connectionId, JsonNode data, ObjectNode result) {
        JsonNode c = data.path("creds");
        String creds = c.isString() ? c.asString() : null;
        List<EngineAuthStore.KeyWrite> writes = new ArrayList<>();
        for (JsonNode k : data.path("keys")) {
            JsonNode v = k.path("value");
            writes.add(new EngineAuthStore.KeyWrite(text(k.path("type"), "keys[].type"), text(k.path("id"), "keys[].id"),
                    v.isString() ? v.asString() : null));
        }
        store.save(connectionId, creds, writes);
        result.put("saved", writes.size());
    }

    private static String text(JsonNode n, String name) {
        if (!n.isString() || n.asString().length() > 512) {
            throw new IllegalArgumentException(name + " must be a string of at most 512 characters");
        }
        return n.asString();
    }

    private static JsonNode error(ObjectNode result, String code, String message) {
        ObjectNode e = result.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return result;
    }
}
