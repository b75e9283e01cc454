package com.wagateway.webhooks;

import com.wagateway.shared.Json;
import com.wagateway.database.ConnectionRow;
import com.wagateway.net.PublicAddressGuard;
import com.wagateway.net.UnsafeUrlException;
import com.wagateway.domain.Caller;
import com.wagateway.shared.Secrets;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a user can do with a connection's webhook: set it (URL + optional event filter), rotate
 * its secret, look at it with its delivery health, remove it, read the attempt log, redeliver an
 * event, send a test event. Ownership is checked through {@link ConnectionService#get} (someone
 * else's connection answers the unknown-connection 404). Input is validated before anything is
 * written. Secrets are returned only by the call that creates them and are never logged.
 */
@Service
public class WebhookService {

    private static final Logger log = LoggerFactory.getLogger(WebhookService.class);
    private static final JsonMapper JSON = Json.MAPPER;
    private static final int MAX_LOG_LIMIT = 200;

    /** The settings, health, and the secret when this call made a new one (else null). */
    public record View(WebhookRepository.Settings settings, WebhookRepository.Health health, String newSecret) {
    }

    /** The receiver's answer to a test event. */
    public record TestResult(UUID eventId, String url, Integer responseStatus, String responseBody, long latencyMs,
                             String error, boolean delivered) {
    }

    /** A created connection and its webhook secret (null without a webhook). */
    public record Created(ConnectionRow connection, String webhookSecret) {
    }

    /** A page of attempt rows and the cursor for the next (older) page, null at the end. */
    public record LogPage(List<WebhookRepository.LogRow> rows, Long nextBefore) {
    }

    private final ConnectionService connections;
    private final WebhookRepository repo;
    private final WebhookQueue queue;
    private final WebhookSender sender;
    private final PublicAddressGuard guard;
    private final WebhookWakeup wakeup;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;

    public WebhookService(ConnectionService connections, WebhookRepository repo, WebhookQueue queue, WebhookSender sender,
                          PublicAddressGuard guard, WebhookWakeup wakeup, ApplicationEventPublisher events,
                          PlatformTransactionManager txManager) {
        this.connections = connections;
        this.repo = repo;
        this.queue = queue;
        this.sender = sender;
        this.guard = guard;
        this.wakeup = wakeup;
        this.events = events;
        this.tx = new TransactionTemplate(txManager);
    }

    /**
     * Sets the webhook. The URL must be http(s) and (unless private networks are allowed) resolve
     * to public addresses; {@code events} null means all. A secret is made when there is none
     * yet (first set, or after a removal) and returned this once; changing URL or filter keeps it.
     */
    public View set(Caller caller, String connectionId, String url, List<String> eventFilter) {
        connections.get(connectionId, caller);
        String checked = checkUrl(url, "url");
        List<String> filter = checkEvents(eventFilter);
        String secret = tx.execute(s -> {
            String made = repo.secret(connectionId).isPresent() ? null : newSecret();
            repo.save(connectionId, checked, filter, made);
            return made;
        });
        wakeup.wake(); // a reset pause may make queued events due
        log.info("[{}] webhook set{}", connectionId, secret != null ? " with a new secret" : "");
        return view(connectionId, secret);
    }

    /**
     * Creates a connection and, when {@code url} is given, its webhook, in one transaction
     * (validated first: a bad URL creates nothing). Returns the row and the secret (or null).
     */
    public Created createConnection(Caller caller, String connectionId, String url, List<String> eventFilter) {
        if (url == null) {
            return new Created(connections.create(connectionId, caller), null);
        }
        String checked = checkUrl(url, "webhook_url");
        List<String> filter = checkEvents(eventFilter);
        String secret = newSecret();
        ConnectionRow row = tx.execute(s -> {
            connections.create(connectionId, caller);
            repo.save(connectionId, checked, filter, secret);
            return connections.get(connectionId, caller);
        });
        log.info("[{}] created with a webhook", connectionId);
        return new Created(row, secret);
    }

    /** A new secret, returned once; the old one stops signing at once. 409 without a webhook. */
    public View rotateSecret(Caller caller, String connectionId) {
        connections.get(connectionId, caller);
        if (repo.settings(connectionId).map(WebhookRepository.Settings::url).orElse(null) == null) {
            throw new ApiException.Conflict("webhook_not_configured", "connection '" + connectionId + "' has no webhook");
        }
        String secret = newSecret();
        repo.saveSecret(connectionId, secret);
        log.info("[{}] webhook secret rotated", connectionId);
        return view(connectionId, secret);
    }

    public View get(Caller caller, String connectionId) {
        connections.get(connectionId, caller);
        return view(connectionId, null);
    }

    /** Removes URL, filter and secret; queued events of the connection fail ("webhook removed"). */
    public void remove(Caller caller, String connectionId) {
        connections.get(connectionId, caller);
        List<WebhookDeliveryChanged> dropped;
        try {
            dropped = tx.execute(s -> repo.clear(connectionId));
        } catch (org.springframework.dao.PessimisticLockingFailureException e) {
            // a delivery was being recorded at the same moment; PostgreSQL chose us as the victim
            dropped = tx.execute(s -> repo.clear(connectionId));
        }
        dropped.forEach(events::publishEvent);
        log.info("[{}] webhook removed ({} queued event(s) dropped)", connectionId, dropped.size());
    }

    /** Attempts, newest first; {@code state} one of delivered/retrying/failed or null; cursor {@code before}. */
    public LogPage logs(Caller caller, String connectionId, String state, String before, Integer limit) {
        connections.get(connectionId, caller);
        if (state != null && !state.isBlank() && !List.of("delivered", "retrying", "failed").contains(state)) {
            throw new ApiException.InvalidInput("invalid_status", "status", "status must be delivered, retrying or failed");
        }
        Long cursor = null;
        if (before != null && !before.isBlank()) {
            try {
                cursor = Long.parseLong(before);
            } catch (NumberFormatException e) {
                throw new ApiException.InvalidInput("invalid_cursor", "before", "before must be a next_before value of a previous page");
            }
        }
        int n = limit == null ? 50 : limit;
        if (n < 1 || n > MAX_LOG_LIMIT) {
            throw new ApiException.InvalidInput("invalid_limit", "limit", "limit must be between 1 and " + MAX_LOG_LIMIT);
        }
        List<WebhookRepository.LogRow> rows = repo.logs(connectionId, state == null || state.isBlank() ? null : state,
                cursor, n + 1);
        Long next = null;
        if (rows.size() > n) {
            rows = rows.subList(0, n);
            next = rows.get(n - 1).id();
        }
        return new LogPage(rows, next);
    }

    /**
     * Queues a stored event again (same body, same {@code X-Webhook-Id}), due now. Unknown events
     * and events of other users' connections answer the same 404.
     */
    public WebhookRepository.EventRef redeliver(Caller caller, String eventId) {
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException e) {
            throw new ApiException.NotFound("webhook_event_not_found", "no webhook event '" + eventId + "'");
        }
        WebhookRepository.EventRef ref = repo.event(id).filter(e -> caller.mayAccess(e.ownerId()))
                .orElseThrow(() -> new ApiException.NotFound("webhook_event_not_found", "no webhook event '" + eventId + "'"));
        if (repo.settings(ref.connectionId()).map(WebhookRepository.Settings::url).orElse(null) == null) {
            throw new ApiException.Conflict("webhook_not_configured", "connection '" + ref.connectionId() + "' has no webhook");
        }
        repo.redeliver(id);
        wakeup.wake();
        log.info("[{}] event {} queued for redelivery", ref.connectionId(), id);
        return new WebhookRepository.EventRef(id, ref.connectionId(), ref.ownerId(), "pending");
    }

    /**
     * Sends a signed {@code webhook.test} event now (outside the queue, no retry) and returns the
     * receiver's answer; the attempt is logged like any other.
     */
    public TestResult test(Caller caller, String connectionId) {
        connections.get(connectionId, caller);
        WebhookRepository.Settings s = repo.settings(connectionId).orElseThrow();
        String secret = repo.secret(connectionId).orElse(null);
        if (s.url() == null || secret == null) {
            throw new ApiException.Conflict("webhook_not_configured", "connection '" + connectionId + "' has no webhook");
        }
        UUID eventId = UUID.randomUUID();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", WebhookEventTypes.TEST);
        payload.put("connection_id", connectionId);
        payload.put("message", "This is a test event from wa-gateway.");
        payload.put("timestamp", Instant.now().toString());
        String body = JSON.writeValueAsString(payload);
        WebhookSender.Result r = sender.send(new WebhookSender.Request(eventId, WebhookEventTypes.TEST, s.url(), secret, body)).join();
        boolean ok = !r.permanent() && RetryPolicy.classify(r.status()) == RetryPolicy.Outcome.DELIVERED;
        String state = ok ? "delivered" : "failed";
        tx.executeWithoutResult(t -> {
            DeliveryRows.Delivery d = repo.insertFinished(eventId, connectionId, WebhookEventTypes.TEST, body, state);
            queue.insertAttempts(List.of(new DeliveryRows.Attempt(d, s.url(), 1, r.status(), r.body(), r.latencyMs(),
                    r.error(), state, null, true)));
        });
        events.publishEvent(new WebhookDeliveryChanged(connectionId, eventId, WebhookEventTypes.TEST, state, r.status(), 1,
                r.latencyMs(), r.error()));
        return new TestResult(eventId, s.url(), r.status(), r.body(), r.latencyMs(), r.error(), ok);
    }

    private View view(String connectionId, String newSecret) {
        return new View(repo.settings(connectionId).orElseThrow(), repo.health(connectionId), newSecret);
    }

    /** 400 with the guard's code ({@code invalid_url}, {@code unresolvable_host}, {@code private_network}). */
    private String checkUrl(String url, String field) {
        try {
            return guard.check(url).toString();
        } catch (UnsafeUrlException e) {
            throw new ApiException.InvalidInput(e.code(), field, e.getMessage());
        }
    }

    /** Null stays null (every event); otherwise known names only, at least one, duplicates dropped. */
    static List<String> checkEvents(List<String> events) {
        if (events == null) {
            return null;
        }
        if (events.isEmpty()) {
            throw new ApiException.InvalidInput("invalid_events", "events",
                    "events must name at least one event; omit it to receive every event");
        }
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (String e : events) {
            if (e == null || !WebhookEventTypes.ALL.contains(e)) {
                throw new ApiException.InvalidInput("invalid_event", "events",
                        "unknown event '" + e + "'; allowed: " + String.join(", ", WebhookEventTypes.ALL));
            }
            set.add(e);
        }
        return new ArrayList<>(set);
    }

    private static String newSecret() {
        return "whsec_" + Secrets.randomToken(32);
    }
}
