package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.services.ConnectionStateMachine.Signal;
import com.wagateway.services.ConnectionTransitions.Details;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import com.wagateway.whatsapp.EngineShare;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Turns engine signals into connection states: each signal goes to {@link ConnectionTransitions}
 * (which asks {@link ConnectionStateMachine}, stores the change with its webhook event and
 * publishes it after the commit); this class then carries out the decided effect (dial again now
 * or later, remove the session folder).
 *
 * <p>With several nodes (issue 17) this node acts only on connections it owns ({@link ConnectionLeases}):
 * events of a socket it does not own are never stored (a live one is closed), every state it
 * stores from a socket carries its lease fence, restores and reconnects start only owned
 * connections, a lease gained starts the socket and a lease lost closes it.
 *
 * <p>Guarantees: events of a connection that is not wanted running (user disconnected, logged
 * out, deleted) are ignored, so a late event can never revive it; reconnects are driven by one
 * timer per connection; after a JVM start linked connections are restored staggered, after an
 * engine process crashed every running connection of its share is resumed (the other processes'
 * connections are not touched).
 */
@Service
public class ConnectionLifecycle implements EngineListener, LeaseListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLifecycle.class);
    /** Notification channel: "start this connection if you own it" (a person connected it on another node). */
    static final String START_CHANNEL = "gateway_start";

    private final ConnectionRepository repo;
    private final EngineClient engine;
    private final ConnectionScheduler scheduler;
    private final ConnectionPolicy policy;
    private final GatewayProperties props;
    private final ConnectionTransitions transitions;
    private final ConnectionLeases leases;
    private final com.wagateway.database.LeaseRepository leaseRows;
    private final com.wagateway.database.PgNotifications notifications;

    public ConnectionLifecycle(ConnectionRepository repo, EngineClient engine, ConnectionScheduler scheduler,
                               GatewayProperties props, ConnectionTransitions transitions, ConnectionLeases leases,
                               com.wagateway.database.LeaseRepository leaseRows,
                               com.wagateway.database.PgNotifications notifications) {
        this.repo = repo;
        this.notifications = notifications;
        this.leases = leases;
        this.leaseRows = leaseRows;
        this.transitions = transitions;
        this.engine = engine;
        this.scheduler = scheduler;
        this.props = props;
        this.policy = new ConnectionPolicy(props.lifecycle().reconnectBase(), props.lifecycle().reconnectMax(),
                RandomGenerator.getDefault());
    }

    /**
     * Before the engine starts: no socket exists, so stored states are made truthful — and, like
     * every status write, each change queues its {@code connection.status} webhook in the same
     * transaction and is published, so receivers see "restoring" / "server_restart" too.
     * Connections another live node owns (issue 17) are left alone: their sockets do exist.
     */
    @PostConstruct
    void normalizeAtBoot() {
        // (and from now on: a connect on another node of a connection this node owns starts it here)
        notifications.subscribe(START_CHANNEL, id -> {
            if (leases.owns(id)) {
                scheduler.schedule(id, Duration.ZERO, () -> startIfWanted(id));
            }
        });
        java.util.Set<String> elsewhere = java.util.Set.copyOf(leaseRows.heldLiveElsewhere(leases.nodeId()));
        transitions.applyAll(repo.findAll().stream().filter(r -> !elsewhere.contains(r.connectionId())).toList(),
                row -> !row.running() ? Signal.BOOT_STOP : row.hasSession() ? Signal.BOOT_RESTORE : Signal.BOOT_UNLINKED);
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.MessageEvent) {
            return; // message events are the messaging layer's; no state lookup on that hot path
        }
        String id = event.connectionId();
        Optional<com.wagateway.database.LeaseFence> fence = leases.fence(id);
        if (fence.isEmpty()) {
            // a socket of a connection this node does not own (lease lost meanwhile): never
            // stored; a live one is closed
            log.debug("[{}] ignoring {}: node {} does not own it", id, event.getClass().getSimpleName(), leases.nodeId());
            if (!(event instanceof EngineEvent.Disconnected)) {
                engine.stop(id).exceptionally(e -> null);
            }
            return;
        }
        synchronized (scheduler.lock(id)) {
            Optional<ConnectionRow> row = repo.find(id);
            if (row.isEmpty() || !row.get().running()) {
                log.debug("[{}] ignoring {} for a connection that is not running", id, event.getClass().getSimpleName());
                return;
            }
            apply(row.get(), event, fence.get());
        }
    }

    private void apply(ConnectionRow row, EngineEvent event, com.wagateway.database.LeaseFence fence) {
        String id = row.connectionId();
        if (event instanceof EngineEvent.Connecting) {
            transitions.apply(row, Signal.SOCKET_CONNECTING, Details.none(), fence);
        } else if (event instanceof EngineEvent.QrIssued q) {
            transitions.apply(row, Signal.QR, Details.qr(q.qr(), QrCodes.pngDataUrl(q.qr()), q.expiresAt()), fence);
        } else if (event instanceof EngineEvent.Authenticated a) {
            log.info("[{}] authenticated as {}", id, mask(a.phone()));
            transitions.apply(row, Signal.AUTHENTICATED, Details.account(a.jid(), a.phone(), a.name()), fence);
        } else if (event instanceof EngineEvent.Ready r) {
            log.info("[{}] ready", id);
            transitions.apply(row, Signal.READY, Details.account(r.jid(), r.phone(), r.name()), fence);
        } else if (event instanceof EngineEvent.Disconnected d) {
            onClose(row, d, fence);
        }
    }

    /** Applies the policy table to a close the engine reported; the effect follows only a stored change. */
    private void onClose(ConnectionRow row, EngineEvent.Disconnected d, com.wagateway.database.LeaseFence fence) {
        String id = row.connectionId();
        ConnectionPolicy.Decision decision = policy.onClose(row.status(), d.code(), d.reason(), row.reconnectAttempt());
        log.info("[{}] closed: code {} ({}) while {} -> {} {}", id, d.code(), d.reason(), row.status().wire(),
                decision.status().wire(), decision.action());
        switch (decision.action()) {
            case RESTART_NOW -> {
                transitions.apply(row, decision.signal(), Details.reason(decision.reason()), fence);
                startNow(id);
            }
            case RESTART_LATER -> {
                Instant next = Instant.now().plus(decision.delay());
                transitions.apply(row, decision.signal(), Details.retry(decision.reason(), decision.attempt(), next), fence);
                scheduler.schedule(id, decision.delay(), () -> startIfWanted(id));
            }
            case STOP -> transitions.apply(row, decision.signal(), Details.reason(decision.reason()), fence);
            case STOP_AND_PURGE -> {
                if (transitions.apply(row, decision.signal(), Details.reason(decision.reason()), fence).isEmpty()
                        && !leases.owns(id)) {
                    return; // the lease moved on: the session belongs to the new owner now
                }
                engine.purge(id).exceptionally(e -> {
                    log.warn("[{}] could not remove the session folder: {}", id, e.getMessage());
                    return null;
                });
            }
        }
    }

    @Override
    public void onEngineStarted(EngineShare share, boolean restart) {
        List<ConnectionRow> rows = repo.findRunning().stream()
                .filter(r -> share.contains(r.connectionId()) && leases.owns(r.connectionId())).toList();
        if (rows.isEmpty()) {
            return;
        }
        log.info("{} {} connection(s) on engine process {}", restart ? "resuming" : "restoring", rows.size(), share.index());
        // RESTORE_PER_SECOND is the node's rate: the processes restore their shares side by side,
        // so each takes its part of it (one share restored alone takes as long as the whole node)
        long intervalMs = Math.max(1, 1000L * share.processes() / Math.max(1, props.lifecycle().restorePerSecond()));
        for (int i = 0; i < rows.size(); i++) {
            String id = rows.get(i).connectionId();
            scheduler.schedule(id, Duration.ofMillis(i * intervalMs), () -> startIfWanted(id));
        }
    }

    /**
     * An engine process died: every wanted connection of its share that this node owns shows
     * reconnecting (attempts kept) until it is resumed; their timers are cancelled. Other
     * processes' connections keep their state and timers.
     */
    @Override
    public void onEngineStopped(EngineShare share, String why) {
        scheduler.cancelWhere(share::contains);
        for (ConnectionRow listed : repo.findRunning()) {
            if (!share.contains(listed.connectionId())) {
                continue;
            }
            String id = listed.connectionId();
            Optional<com.wagateway.database.LeaseFence> fence = leases.fence(id);
            if (fence.isEmpty()) {
                continue;
            }
            synchronized (scheduler.lock(id)) {
                repo.find(id).filter(ConnectionRow::running)
                        .ifPresent(row -> transitions.apply(row, Signal.ENGINE_DIED, Details.none(), fence.get()));
            }
        }
    }

    /** This node took these connections over (or was handed them): started staggered, like a restore. */
    @Override
    public void onLeasesGained(List<String> connectionIds) {
        long intervalMs = Math.max(1, 1000L / Math.max(1, props.lifecycle().restorePerSecond()));
        for (int i = 0; i < connectionIds.size(); i++) {
            String id = connectionIds.get(i);
            scheduler.schedule(id, Duration.ofMillis(i * intervalMs), () -> startIfWanted(id));
        }
    }

    /**
     * This node lost the connection: no timer of it runs any more, and its socket is closed before
     * this returns (at most 5 s), so the lease is never handed on while the socket still runs.
     */
    @Override
    public void onLeaseLost(String id) {
        scheduler.cancel(id);
        try {
            engine.stop(id).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("[{}] stop after the lease was lost: {}", id, e.toString());
        }
    }

    /**
     * Timer callback: dial again unless the user stopped the connection meanwhile or another node
     * owns it. Ownership is read from the lease row, not only this node's memory: a node resumed
     * after a pause runs its overdue timers before its next renewal tells it the lease moved, and
     * a socket started then would replace the new owner's login (WhatsApp's 440). A socket that
     * is live already is kept ({@link EngineClient#startIfAbsent}): a lease gained and a start
     * notification that coincide each schedule one of these, and the second must not log in again.
     */
    void startIfWanted(String id) {
        synchronized (scheduler.lock(id)) {
            Optional<ConnectionRow> row = repo.find(id);
            Optional<com.wagateway.database.LeaseFence> fence = leases.fence(id);
            if (row.isEmpty() || !row.get().running() || fence.isEmpty()) {
                return;
            }
            if (!leaseRows.stillNames(fence.get(), id)) {
                log.info("[{}] not started: its lease moved to another node", id);
                return;
            }
        }
        logFailure(id, engine.startIfAbsent(id));
    }

    private void startNow(String id) {
        logFailure(id, engine.start(id));
    }

    /** Logs a start that failed (engine unavailable, or refusing): nothing else waits for its answer. */
    private static void logFailure(String id, java.util.concurrent.CompletableFuture<Void> start) {
        start.exceptionally(e -> {
            log.warn("[{}] engine start failed: {}", id, e.getMessage());
            return null;
        });
    }

    /** Phone numbers appear in logs only partly (privacy), e.g. {@code 9230*****67}. */
    static String mask(String phone) {
        if (phone == null || phone.length() < 6) {
            return "***";
        }
        return phone.substring(0, 4) + "*".repeat(phone.length() - 6) + phone.substring(phone.length() - 2);
    }
}
