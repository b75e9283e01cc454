package com.wagateway.services;

import com.wagateway.database.ConnectionSettingsRepository;
import com.wagateway.database.ConnectionSettingsRepository.SettingsRow;
import com.wagateway.domain.Caller;
import com.wagateway.whatsapp.ChatCommands;
import com.wagateway.whatsapp.EngineException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Per-connection settings (issue 16 part 5): read and change them (owner-scoped), and hand the
 * current values to the code that applies them — the engine (through {@code start} and the
 * {@code settings} command) and, from an in-memory copy, the inbound filter and the send pacer,
 * which must not pay a database round trip per message.
 *
 * <p>Guarantees: a change is validated as a whole before anything is written (one bad field:
 * 400, nothing changed); a saved change replaces the in-memory copy and is sent to the engine at
 * once, so it applies without relinking; when the engine cannot take it now (not running), the
 * next {@code start} carries it. With several nodes (issue 17) a change made through any node
 * drops every node's copy ({@code NOTIFY gateway_settings}), so the owner's inbound filter and
 * pacer read the new row at once; the engine command goes to the owner (CommandRouter).
 */
@Service
public class ConnectionSettingsService implements ChatCommands.SettingsSource {

    private static final Logger log = LoggerFactory.getLogger(ConnectionSettingsService.class);
    /** Longest auto-reply to a rejected call (a WhatsApp text may be longer; a call reply should not be). */
    public static final int MAX_REPLY_TEXT = 4096;
    public static final int MAX_RATE_PER_MINUTE = 10_000;
    public static final int MAX_BURST = 1_000;
    private static final Set<String> BOOLEANS = Set.of("reject_calls", "ignore_groups", "ignore_broadcasts",
            "send_read_receipts", "always_online", "sync_history");
    private static final Set<String> FIELDS = Set.of("reject_calls", "call_reply_text", "ignore_groups", "ignore_broadcasts",
            "send_read_receipts", "always_online", "sync_history", "send_rate_per_minute", "send_burst");

    private final ConnectionSettingsRepository repo;
    private final ConnectionService connections;
    private final ChatCommands engine;
    private final Map<String, SettingsRow> current = new ConcurrentHashMap<>();
    private final TransactionTemplate tx;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** Notification channel: "drop your copy of this connection's settings"; the payload is its id. */
    static final String CHANNEL = "gateway_settings";
    private final com.wagateway.database.PgNotifications notifications;

    public ConnectionSettingsService(ConnectionSettingsRepository repo, ConnectionService connections, ChatCommands engine,
                                     TransactionTemplate tx, com.wagateway.database.PgNotifications notifications) {
        this.tx = tx;
        this.notifications = notifications;
        notifications.subscribe(CHANNEL, current::remove);
        this.repo = repo;
        this.connections = connections;
        this.engine = engine;
    }

    /** The settings of a connection the caller may see (404 otherwise). */
    public SettingsRow get(String connectionId, Caller caller) {
        connections.get(connectionId, caller);
        return repo.find(connectionId).orElse(SettingsRow.defaults(connectionId));
    }

    /** The outcome of a change: the stored settings, and what presence the engine sent (null: none). */
    public record Updated(SettingsRow settings, String presence) {
    }

    /**
     * Applies the fields given (the others keep their values; {@code null} clears
     * {@code call_reply_text} and gives {@code send_rate_per_minute} / {@code send_burst} back to
     * the global pace). Unknown fields, wrong types and out-of-range values are 400 with the
     * field, and nothing is changed.
     */
    public Updated update(String connectionId, Map<String, Object> changes, Caller caller) {
        get(connectionId, caller);
        if (changes == null) {
            throw new ApiException.InvalidInput("invalid_body", null, "the body must be a JSON object of settings");
        }
        Map<String, Object> v = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            v.put(e.getKey(), check(e.getKey(), e.getValue()));
        }
        // read, merge and write under the row's lock (two changes at once never lose each other's
        // fields), and hand the result on in the same order (the copy and the engine end with the last)
        synchronized (locks.computeIfAbsent(connectionId, k -> new Object())) {
            SettingsRow saved = tx.execute(s -> repo.save(merge(connectionId,
                    repo.findForUpdate(connectionId).orElse(SettingsRow.defaults(connectionId)), v)));
            current.put(connectionId, saved);
            notifications.tryPublish(CHANNEL, connectionId); // the other nodes' copies (a missed one: until their next start)
            return new Updated(saved, push(saved));
        }
    }

    /** {@code now} with the checked values {@code v} applied (fields not in {@code v} keep their values). */
    private static SettingsRow merge(String connectionId, SettingsRow now, Map<String, Object> v) {
        return new SettingsRow(connectionId,
                bool(v, "reject_calls", now.rejectCalls()),
                v.containsKey("call_reply_text") ? (String) v.get("call_reply_text") : now.callReplyText(),
                bool(v, "ignore_groups", now.ignoreGroups()),
                bool(v, "ignore_broadcasts", now.ignoreBroadcasts()),
                bool(v, "send_read_receipts", now.sendReadReceipts()),
                bool(v, "always_online", now.alwaysOnline()),
                bool(v, "sync_history", now.syncHistory()),
                v.containsKey("send_rate_per_minute") ? (Integer) v.get("send_rate_per_minute") : now.sendRatePerMinute(),
                v.containsKey("send_burst") ? (Integer) v.get("send_burst") : now.sendBurst(),
                null);
    }

    /** The settings the inbound filter and the pacer use now (in-memory copy; defaults for an unknown id). */
    public SettingsRow current(String connectionId) {
        SettingsRow s = current.get(connectionId);
        if (s != null) {
            return s;
        }
        SettingsRow loaded = repo.find(connectionId).orElse(SettingsRow.defaults(connectionId));
        current.putIfAbsent(connectionId, loaded);
        return loaded;
    }

    /** For {@code start}: what the engine applies of this connection's settings (read from the database). */
    @Override
    public ChatCommands.EngineSettings engineSettings(String connectionId) {
        SettingsRow s = repo.find(connectionId).orElse(SettingsRow.defaults(connectionId));
        current.put(connectionId, s);
        return toEngine(s);
    }

    /** A deleted connection's settings go with it (its row by cascade, its copy here). */
    @EventListener
    void onDeleted(ConnectionDeleted e) {
        current.remove(e.connectionId());
        locks.remove(e.connectionId());
    }

    /** Sends the settings to the engine; when it cannot take them now, the next start will. */
    private String push(SettingsRow s) {
        try {
            return engine.applySettings(s.connectionId(), toEngine(s)).join();
        } catch (CompletionException e) {
            EngineException ee = EngineException.of(e.getCause());
            log.info("[{}] settings saved; the engine takes them at the next start ({})", s.connectionId(), ee.getMessage());
            return null;
        }
    }

    private static ChatCommands.EngineSettings toEngine(SettingsRow s) {
        return new ChatCommands.EngineSettings(s.rejectCalls(), s.ignoreGroups(), s.ignoreBroadcasts(), s.alwaysOnline(), s.syncHistory());
    }

    /** One field's value, checked (type and range); the error names the field. */
    private static Object check(String field, Object value) {
        if (!FIELDS.contains(field)) {
            throw new ApiException.InvalidInput("unknown_field", field, "unknown setting '" + field + "'; known: " + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        if (BOOLEANS.contains(field)) {
            if (!(value instanceof Boolean)) {
                throw new ApiException.InvalidInput("invalid_type", field, field + " must be true or false");
            }
            return value;
        }
        if (field.equals("call_reply_text")) {
            if (value == null) {
                return null;
            }
            if (!(value instanceof String text)) {
                throw new ApiException.InvalidInput("invalid_type", field, field + " must be a string or null");
            }
            if (text.isBlank() || text.length() > MAX_REPLY_TEXT || text.indexOf('\u0000') >= 0) {
                throw new ApiException.InvalidInput("out_of_range", field, field + " must be 1-" + MAX_REPLY_TEXT + " characters (no NUL), or null for no reply");
            }
            return text;
        }
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger)) {
            throw new ApiException.InvalidInput("invalid_type", field, field + " must be a whole number or null");
        }
        long n = ((Number) value).longValue();
        boolean rate = field.equals("send_rate_per_minute");
        long min = rate ? 0 : 1;
        long max = rate ? MAX_RATE_PER_MINUTE : MAX_BURST;
        if (value instanceof java.math.BigInteger || n < min || n > max) {
            throw new ApiException.InvalidInput("out_of_range", field, field + " must be " + min + "-" + max
                    + (rate ? " (0 = no limit)" : "") + ", or null for the global setting");
        }
        return (int) n;
    }

    private static boolean bool(Map<String, Object> v, String field, boolean otherwise) {
        return v.containsKey(field) ? (Boolean) v.get(field) : otherwise;
    }
}
