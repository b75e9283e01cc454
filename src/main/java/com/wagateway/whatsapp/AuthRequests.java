package com.wagateway.whatsapp;

import com.wagateway.database.DatabaseUnavailable;
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
 *
 * <p>While the database cannot be reached, a request is tried again (250 ms doubling to 2 s)
 * for up to {@link #OUTAGE_WAIT_MS}, below the engine's 60 s request timeout: a short outage
 * only delays Baileys' reads and writes of Signal state, as it delays the engine's events,
 * instead of failing the decryption of every message that arrives meanwhile (which Baileys
 * would log and drop). Every request is safe to repeat: loads read, saves write the same
 * values again, clear deletes.
 */
final class AuthRequests {

    private static final Logger log = LoggerFactory.getLogger(AuthRequests.class);
    /** Baileys asks for at most a few hundred ids at once (pre-keys); this bounds a malformed request. */
    private static final int MAX_IDS = 5000;
    /** How long a request waits for an unreachable database before it is answered with an error. */
    static final long OUTAGE_WAIT_MS = 45_000;

    private AuthRequests() {
    }

    static boolean handles(String request) {
        return request.startsWith("auth.");
    }

    /** The {@code result} for one request. */
    static JsonNode answer(EngineAuthStore store, String request, String connectionId, JsonNode data, JsonMapper json) {
        if (store == null) {
            return error(json.createObjectNode(), "invalid_state", "this gateway runs with AUTH_STORE=files");
        }
        long deadline = System.nanoTime() + OUTAGE_WAIT_MS * 1_000_000L;
        long pause = 250;
        while (true) {
            try {
                ObjectNode result = json.createObjectNode();
                switch (request) {
                    case "auth.load" -> load(store, connectionId, data, result);
                    case "auth.save" -> save(store, connectionId, data, result);
                    case "auth.clear" -> result.put("removed", store.clear(connectionId));
                    default -> error(result, "bad_request", "unknown auth request " + request);
                }
                return result;
            } catch (IllegalArgumentException e) {
                return error(json.createObjectNode(), "bad_request", e.getMessage());
            } catch (com.wagateway.database.LeaseLostException e) {
                // another node runs the connection now: this socket's writes must never land (the engine drops them)
                log.info("[{}] {} refused: the lease moved to another node", connectionId, request);
                return error(json.createObjectNode(), "fenced", "this node no longer holds the connection's lease");
            } catch (RuntimeException e) {
                boolean unreachable = DatabaseUnavailable.isCause(e);
                if (unreachable && System.nanoTime() + pause * 1_000_000L < deadline && pauseFor(pause)) {
                    log.debug("[{}] {} waits for the database", connectionId, request);
                    pause = Math.min(pause * 2, 2000);
                    continue;
                }
                log.warn("[{}] {} failed: {}", connectionId, request, e.getClass().getSimpleName());
                return error(json.createObjectNode(), unreachable ? "unavailable" : "internal",
                        request + " failed (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    /** Sleeps; false when interrupted (shutdown), so the request is answered at once. */
    private static boolean pauseFor(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
