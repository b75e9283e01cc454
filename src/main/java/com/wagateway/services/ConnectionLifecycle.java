package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Turns engine signals into connection states (the state machine's "how"; {@link ConnectionPolicy}
 * is the "what"). Every change is written to the database first, together with its
 * {@code connection.status} webhook event ({@link StatusWrites}), and then published as
 * {@link ConnectionStatusChanged}.
 *
 * <p>Guarantees: events of a connection that is not wanted running (user disconnected, logged
 * out, deleted) are ignored, so a late event can never revive it; reconnects are driven by one
 * timer per connection; after a JVM start linked connections are restored staggered, after an
 * engine crash every running connection is resumed.
 */
@Service
public class ConnectionLifecycle implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLifecycle.class);

    private final ConnectionRepository repo;
    private final EngineClient engine;
    private final ConnectionScheduler scheduler;
    private final ApplicationEventPublisher events;
    private final ConnectionPolicy policy;
    private final GatewayProperties props;
    private final StatusWrites writes;

    public ConnectionLifecycle(ConnectionRepository repo, EngineClient engine, ConnectionScheduler scheduler,
                               ApplicationEventPublisher events, GatewayProperties props, StatusWrites writes) {
        this.repo = repo;
        this.writes = writes;
        this.engine = engine;
        this.scheduler = scheduler;
        this.events = events;
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
        for (ConnectionRow row : writes.writeAll(repo::normalizeAtBoot)) {
            events.publishEvent(new ConnectionStatusChanged(row));
        }
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
            if (row.status() == ConnectionStatus.DISCONNECTED || row.status() == ConnectionStatus.ERROR
                    || row.status() == ConnectionStatus.LOGGED_OUT) {
                publish(writes.write(() -> repo.markStatus(id, ConnectionStatus.INITIALIZING, null)));
            }
        } else if (event instanceof EngineEvent.QrIssued q) {
            publish(writes.write(() -> repo.markQr(id, q.qr(), QrCodes.pngDataUrl(q.qr()), q.expiresAt())));
        } else if (event instanceof EngineEvent.Authenticated a) {
            log.info("[{}] authenticated as {}", id, mask(a.phone()));
            publish(writes.write(() -> repo.markAuthenticated(id, a.jid(), a.phone(), a.name())));
        } else if (event instanceof EngineEvent.Ready r) {
            log.info("[{}] ready", id);
            publish(writes.write(() -> repo.markReady(id, r.jid(), r.phone(), r.name())));
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
                if (decision.status() != row.status()) {
                    publish(writes.write(() -> repo.markStatus(id, decision.status(), decision.reason())));
                }
                startNow(id);
            }
            case RESTART_LATER -> {
                Instant next = Instant.now().plus(decision.delay());
                publish(writes.write(() -> repo.markReconnecting(id, decision.reason(), decision.attempt(), next)));
                scheduler.schedule(id, decision.delay(), () -> startIfWanted(id));
            }
            case STOP -> publish(writes.write(() -> repo.markStopped(id, decision.status(), decision.reason(), false)));
            case STOP_AND_PURGE -> {
                publish(writes.write(() -> repo.markStopped(id, decision.status(), decision.reason(), true)));
                engine.purge(id).exceptionally(e -> {
                    log.warn("[{}] could not remove the session folder: {}", id, e.getMessage());
                    return null;
                });
            }
        }
    }

    @Override
    public void onEngineStarted(boolean restart) {
        List<ConnectionRow> rows = repo.findRunning();
        if (rows.isEmpty()) {
            return;
        }
        log.info("{} {} connection(s)", restart ? "resuming" : "restoring", rows.size());
        long intervalMs = Math.max(1, 1000L / Math.max(1, props.lifecycle().restorePerSecond()));
        for (int i = 0; i < rows.size(); i++) {
            String id = rows.get(i).connectionId();
            scheduler.schedule(id, Duration.ofMillis(i * intervalMs), () -> startIfWanted(id));
        }
    }

    @Override
    public void onEngineStopped(String why) {
        scheduler.cancelAll();
        for (ConnectionRow row : writes.writeAll(() -> repo.markAllRunningReconnecting("engine_restart"))) {
            events.publishEvent(new ConnectionStatusChanged(row));
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

    private void publish(Optional<ConnectionRow> row) {
        row.ifPresent(r -> events.publishEvent(new ConnectionStatusChanged(r)));
    }

    /** Phone numbers appear in logs only partly (privacy), e.g. {@code 9230*****67}. */
    static String mask(String phone) {
        if (phone == null || phone.length() < 6) {
            return "***";
        }
        return phone.substring(0, 4) + "*".repeat(phone.length() - 6) + phone.substring(phone.length() - 2);
    }
}
