package com.wagateway.messaging;

import com.wagateway.database.ConnectionRow;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.database.RestrictionRepository;
import com.wagateway.services.ConnectionStatusChanged;
import com.wagateway.shared.Threads;
import com.wagateway.webhooks.WebhookOutbox;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends restrictions whose {@code until} has passed. WhatsApp sends nothing when a time lock or a
 * capping cycle runs out; without this the status already showed {@code restricted: null} (an
 * expired restriction is not shown and blocks nothing) but no {@code connection.restricted}
 * webhook told a sender who paused a campaign that it may resume.
 *
 * <p>Guarantees: every {@link #EVERY_MS} ms, each expired row is removed together with the
 * connection's new summary and its {@code connection.restricted} webhook ({@code restricted}
 * false, the kind as {@code reason}) in one transaction, so the lift is told exactly once — also
 * with several nodes (the rows are claimed with {@code SKIP LOCKED}). The realtime status follows
 * the commit. A restriction WhatsApp renews before it ends is an update of the same row and is
 * never lifted in between. A failed pass (database down) is retried on the next one.
 */
@Component
public class RestrictionExpiry {

    private static final Logger log = LoggerFactory.getLogger(RestrictionExpiry.class);
    /** How often expired restrictions are looked for: the lift is told at most this late. */
    static final long EVERY_MS = 5000;
    private static final int BATCH = 200;

    private final RestrictionRepository restrictions;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.named("restriction-expiry"));

    public RestrictionExpiry(RestrictionRepository restrictions, WebhookOutbox outbox, TransactionTemplate tx, Publisher events) {
        this.restrictions = restrictions;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        timer.scheduleWithFixedDelay(this::runSafely, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    private void runSafely() {
        try {
            liftExpired(Instant.now());
        } catch (RuntimeException e) {
            log.warn("restriction expiry pass failed ({}); the next pass retries",
                    DatabaseUnavailable.isCause(e) ? "database unreachable" : e.toString());
        }
    }

    /** One pass: lifts what ended before {@code now}; returns the connections whose status changed. */
    List<ConnectionRow> liftExpired(Instant now) {
        List<ConnectionRow> changed = new ArrayList<>();
        List<RestrictionRepository.Row> ended;
        do {
            List<ConnectionRow> batch = new ArrayList<>();
            ended = tx.execute(s -> {
                List<RestrictionRepository.Row> rows = restrictions.liftExpired(now, BATCH);
                for (RestrictionRepository.Row row : rows) {
                    Optional<ConnectionRow> conn = restrictions.summarize(row.connectionId());
                    conn.ifPresent(c -> {
                        outbox.enqueue(List.of(AccountRestrictions.webhook(c, row, false)));
                        batch.add(c);
                    });
                }
                return rows;
            });
            for (ConnectionRow c : batch) {
                log.info("[{}] a WhatsApp restriction ended (its time passed)", c.connectionId());
                events.publish(new ConnectionStatusChanged(c));
            }
            changed.addAll(batch);
        } while (ended != null && ended.size() == BATCH);
        return changed;
    }
}
