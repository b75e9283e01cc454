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
 * <p>Guarantees: events of a connection that is not wanted running (user disconnected, logged
 * out, deleted) are ignored, so a late event can never revive it; reconnects are driven by one
 * timer per connection; after a JVM start linked connections are restored staggered, after an
 * engine process crashed every running connection of its share is resumed (the other processes'
 * connections are not touched).
 */
@Service
public class ConnectionLifecycle implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLifecycle.class);

    private final ConnectionRepository repo;
    private final EngineClient engine;
    private final ConnectionScheduler scheduler;
    private final ConnectionPolicy policy;
    private final GatewayProperties props;
    private final ConnectionTransitions transitions;

    public ConnectionLifecycle(ConnectionRepository repo, EngineClient engine, ConnectionScheduler scheduler,
                               GatewayProperties props, ConnectionTransitions transitions) {
        this.repo = repo;
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
     */
    @PostConstruct
    void normalizeAtBoot() {
        transitions.applyAll(repo.findAll(), row -> !row.running() ? Signal.BOOT_STOP
                : row.hasSession() ? Signal.BOOT_RESTORE : Signal.BOOT_UNLINKED);
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.MessageEvent) {
            return; // message events are the messaging layer's; no state lookup on that hot path
        }
        String id = event.connectionId();
        synchronized (scheduler.lock(id)) {
            Optional<ConnectionRow> row = repo.find(id);
            if (row.isEmpty() || !row.get().running()) {
                log.debug("[{}] ignoring {} for a connection that is not running", id, event.getClass().getSimpleName());
                return;
            }
            apply(row.get(), event);
        }
    }

    private void apply(ConnectionRow row, EngineEvent event) {
        String id = row.connectionId();
        if (event instanceof EngineEvent.Connecting) {
            transitions.apply(row, Signal.SOCKET_CONNECTING, Details.none());
        } else if (event instanceof EngineEvent.QrIssued q) {
            transitions.apply(row, Signal.QR, Details.qr(q.qr(), QrCodes.pngDataUrl(q.qr()), q.expiresAt()));
        } else if (event instanceof EngineEvent.Authenticated a) {
            log.info("[{}] authenticated as {}", id, mask(a.phone()));
            transitions.apply(row, Signal.AUTHENTICATED, Details.account(a.jid(), a.phone(), a.name()));
        } else if (event instanceof EngineEvent.Ready r) {
            log.info("[{}] ready", id);
            transitions.apply(row, Signal.READY, Details.account(r.jid(), r.phone(), r.name()));
        } else if (event instanceof EngineEvent.Disconnected d) {
            onClose(row, d);
        }
    }

    /** Applies the policy table to a close the engine reported. */
    private void onClose(ConnectionRow row, EngineEvent.Disconnected d) {
        String id = row.connectionId();
        ConnectionPolicy.Decision decision = policy.onClose(row.status(), d.code(), d.reason(), row.reconnectAttempt());
        log.info("[{}] closed: code {} ({}) while {} -> {} {}", id, d.code(), d.reason(), row.status().wire(),
                decision.status().wire(), decision.action());
        switch (decision.action()) {
            case RESTART_NOW -> {
                transitions.apply(row, decision.signal(), Details.reason(decision.reason()));
                startNow(id);
            }
            case RESTART_LATER -> {
                Instant next = Instant.now().plus(decision.delay());
                transitions.apply(row, decision.signal(), Details.retry(decision.reason(), decision.attempt(), next));
                scheduler.schedule(id, decision.delay(), () -> startIfWanted(id));
            }
            case STOP -> transitions.apply(row, decision.signal(), Details.reason(decision.reason()));
            case STOP_AND_PURGE -> {
                transitions.apply(row, decision.signal(), Details.reason(decision.reason()));
                engine.purge(id).exceptionally(e -> {
                    log.warn("[{}] could not remove the session folder: {}", id, e.getMessage());
                    return null;
                });
            }
        }
    }

    @Override
    public void onEngineStarted(EngineShare share, boolean restart) {
        List<ConnectionRow> rows = repo.findRunning().stream().filter(r -> share.contains(r.connectionId())).toList();
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
     * An engine process died: every wanted connection of its share shows reconnecting (attempts
     * kept) until it is resumed; their timers are cancelled. Other processes' connections keep
     * their state and timers.
     */
    @Override
    public void onEngineStopped(EngineShare share, String why) {
        scheduler.cancelWhere(share::contains);
        for (ConnectionRow listed : repo.findRunning()) {
            if (!share.contains(listed.connectionId())) {
                continue;
            }
            String id = listed.connectionId();
            synchronized (scheduler.lock(id)) {
                repo.find(id).filter(ConnectionRow::running)
                        .ifPresent(row -> transitions.apply(row, Signal.ENGINE_DIED, Details.none()));
            }
        }
    }

    /** Timer callback: dial again unless the user stopped the connection meanwhile. */
    void startIfWanted(String id) {
        synchronized (scheduler.lock(id)) {
            Optional<ConnectionRow> row = repo.find(id);
            if (row.isEmpty() || !row.get().running()) {
                return;
            }
        }
        startNow(id);
    }

    private void startNow(String id) {
        engine.start(id).exceptionally(e -> {
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
