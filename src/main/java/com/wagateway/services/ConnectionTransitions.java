package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.services.ConnectionStateMachine.Rule;
import com.wagateway.services.ConnectionStateMachine.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The only writer of connection states. Each change asks {@link ConnectionStateMachine} first;
 * an illegal one is logged, counted ({@code gateway.connection.transitions.refused}) and not
 * applied. A legal one is stored as a compare-and-set on the status the decision was made from
 * (a row that changed meanwhile is left alone), together with its {@code connection.status}
 * webhook event in the same transaction (through {@link ConnectionStatusOutbox}, which
 * {@code webhooks} implements), and published as {@link ConnectionStatusChanged} after
 * the commit by this class itself, so no caller can forget it or publish an uncommitted state.
 *
 * <p>Callers hold {@code ConnectionScheduler.lock(id)} and pass the row they just read.
 */
@Component
public class ConnectionTransitions {

    private static final Logger log = LoggerFactory.getLogger(ConnectionTransitions.class);

    /**
     * What a signal carries besides its kind (all optional).
     *
     * @param reason    the reason when the table leaves it to the signal (e.g. {@code connectionLost (428)})
     * @param attempt   reconnect attempt number (reconnecting)
     * @param nextRetry when the next dial happens (reconnecting), or null
     */
    public record Details(String reason, String qr, String qrImage, Instant qrExpiresAt, String jid, String phone,
                          String name, int attempt, Instant nextRetry) {

        public static Details none() {
            return new Details(null, null, null, null, null, null, null, 0, null);
        }

        public static Details reason(String reason) {
            return new Details(reason, null, null, null, null, null, null, 0, null);
        }

        public static Details retry(String reason, int attempt, Instant nextRetry) {
            return new Details(reason, null, null, null, null, null, null, attempt, nextRetry);
        }

        public static Details qr(String qr, String qrImage, Instant expiresAt) {
            return new Details(null, qr, qrImage, expiresAt, null, null, null, 0, null);
        }

        public static Details account(String jid, String phone, String name) {
            return new Details(null, null, null, null, jid, phone, name, 0, null);
        }
    }

    private final ConnectionRepository repo;
    private final com.wagateway.database.LeaseRepository leases;
    private final Counter stale;
    private final ConnectionStatusOutbox outbox;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;
    private final Counter refused;

    public ConnectionTransitions(ConnectionRepository repo, ConnectionStatusOutbox outbox, ApplicationEventPublisher events,
                                 PlatformTransactionManager txManager, MeterRegistry meters,
                                 com.wagateway.database.LeaseRepository leases) {
        this.repo = repo;
        this.leases = leases;
        this.stale = Counter.builder("gateway.connection.transitions.stale")
                .description("status writes refused because the writer's lease epoch was stale").register(meters);
        this.outbox = outbox;
        this.events = events;
        this.tx = new TransactionTemplate(txManager);
        this.refused = Counter.builder("gateway.connection.transitions.refused")
                .description("connection state changes refused by the state machine").register(meters);
    }

    /**
     * Applies {@code signal} to the connection that showed {@code row}. Returns the stored row, or
     * empty when nothing was written: the table says no change, the transition is illegal
     * (refused), or the row is gone or changed since it was read.
     */
    public Optional<ConnectionRow> apply(ConnectionRow row, Signal signal, Details details) {
        return apply(row, signal, details, null);
    }

    /**
     * {@link #apply(ConnectionRow, Signal, Details)} for what a socket of this node reported:
     * stored only while {@code fence} (this node's lease and epoch) still holds, in the same
     * statement. A write refused for a stale epoch is logged and counted
     * ({@code gateway.connection.transitions.stale}); {@code null} = unfenced (a person's choice).
     */
    public Optional<ConnectionRow> apply(ConnectionRow row, Signal signal, Details details,
                                         com.wagateway.database.LeaseFence fence) {
        Optional<Rule> rule = decide(row, signal);
        if (rule.isEmpty() || rule.get().write() == ConnectionStateMachine.Write.NONE) {
            return Optional.empty();
        }
        ConnectionRepository writer = repo.fenced(fence);
        Optional<ConnectionRow> written = tx.execute(s -> {
            Optional<ConnectionRow> r = persist(writer, row, rule.get(), details);
            r.ifPresent(this::queueAndPublishAfterCommit);
            return r;
        });
        if (written.isEmpty()) {
            if (fence != null && !leases.holds(fence, row.connectionId())) {
                stale.increment();
                log.warn("[{}] refused {} from node {}: its lease epoch {} is stale", row.connectionId(), signal,
                        fence.nodeId(), fence.epoch());
            } else {
                log.debug("[{}] {} not applied: the connection changed or is gone", row.connectionId(), signal);
            }
        }
        return written;
    }

    /** How many status writes were refused for a stale lease epoch since start. */
    public long staleCount() {
        return (long) stale.count();
    }

    /**
     * Applies one signal per row (chosen by {@code signal}) in one transaction, e.g. the boot-time
     * corrections before any socket exists. Returns the rows that changed.
     */
    public List<ConnectionRow> applyAll(List<ConnectionRow> rows, Function<ConnectionRow, Signal> signal) {
        return tx.execute(s -> {
            List<ConnectionRow> changed = new ArrayList<>();
            for (ConnectionRow row : rows) {
                Optional<Rule> rule = decide(row, signal.apply(row));
                if (rule.isPresent() && rule.get().write() != ConnectionStateMachine.Write.NONE) {
                    persist(repo, row, rule.get(), Details.none()).ifPresent(r -> {
                        queueAndPublishAfterCommit(r);
                        changed.add(r);
                    });
                }
            }
            return changed;
        });
    }

    /** How many transitions were refused since start (also a Micrometer counter). */
    public long refusedCount() {
        return (long) refused.count();
    }

    private Optional<Rule> decide(ConnectionRow row, Signal signal) {
        Optional<Rule> rule = ConnectionStateMachine.next(row.status(), signal);
        if (rule.isEmpty()) {
            refused.increment();
            log.warn("[{}] refused illegal transition: {} while {}", row.connectionId(), signal, row.status().wire());
        }
        return rule;
    }

    /** One {@code mark*} per kind of write; each updates only if the status is still {@code row.status()}. */
    private static Optional<ConnectionRow> persist(ConnectionRepository repo, ConnectionRow row, Rule rule, Details d) {
        String id = row.connectionId();
        ConnectionStatus from = row.status();
        String reason = rule.reason() != null ? rule.reason() : d.reason();
        return switch (rule.write()) {
            case NONE -> Optional.empty();
            case STARTING -> repo.markStarting(id, from, reason);
            case QR -> repo.markQr(id, from, d.qr(), d.qrImage(), d.qrExpiresAt());
            case AUTHENTICATED -> repo.markAuthenticated(id, from, d.jid(), d.phone(), d.name());
            case READY -> repo.markReady(id, from, d.jid(), d.phone(), d.name());
            case RECONNECTING -> repo.markReconnecting(id, from, reason,
                    d.nextRetry() == null ? row.reconnectAttempt() : d.attempt(), d.nextRetry());
            case STATUS -> repo.markStatus(id, from, rule.to(), reason);
            case STOPPED -> repo.markStopped(id, from, rule.to(), reason, false);
            case STOPPED_PURGED -> repo.markStopped(id, from, rule.to(), reason, true);
        };
    }

    /** Queues the webhook event in this transaction; publishes the change once it is committed. */
    private void queueAndPublishAfterCommit(ConnectionRow row) {
        outbox.record(row);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                events.publishEvent(new ConnectionStatusChanged(row));
            }
        });
    }
}
