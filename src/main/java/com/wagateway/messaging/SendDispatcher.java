package com.wagateway.messaging;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.QueuedMessage;
import com.wagateway.database.MessageRepository.SentUpdate;
import com.wagateway.database.MessageRow;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ConnectionStatusChanged;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import com.wagateway.shared.Backoff;
import com.wagateway.shared.Threads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends the queue: every outbound message is a {@code queued} row first, and only this class
 * hands rows to the engine. One drain runs at a time per connection ("lane"), reading the queue
 * from the database in arrival order. What each message becomes on the wire (restrictions, media
 * file, quoted key) is {@link SendPreparation}'s; when it is sent, retried or ended is this class's.
 *
 * <p>Guarantees:
 * <ul>
 * <li>nothing is sent unless the connection is {@code ready}; the queue resumes on {@code ready}
 *     and on a one-second sweep (retries, restarts), so a restart of the service or the engine
 *     loses nothing;</li>
 * <li>per chat, messages go out in arrival order: only a chat's oldest queued message is ever in
 *     flight, and a message waiting for its retry holds back the ones behind it;</li>
 * <li>a message is sent with the WhatsApp id chosen when it was accepted, so the only possible
 *     repeat (a crash between WhatsApp's answer and the database update) re-sends the same id,
 *     which WhatsApp treats as the same message;</li>
 * <li>failed attempts are retried with exponential backoff + jitter up to
 *     {@code SEND_MAX_ATTEMPTS}; refused content fails at once; {@code SEND_QUEUE_TTL} ends what
 *     was never sent; each end state is written together with its webhook event.</li>
 * </ul>
 */
@Service
public class SendDispatcher {

    private static final Logger log = LoggerFactory.getLogger(SendDispatcher.class);
    private static final int SCAN = 200;
    private static final int IN_FLIGHT_CHATS = 32;
    /** Send retries spread over the upper quarter of each wait. */
    private static final double SEND_JITTER = 0.25;

    private final MessageRepository messages;
    private final ConnectionRepository connections;
    private final EngineClient engine;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final GatewayProperties.Messaging settings;
    private final SendPacer pacer;
    private final SendPreparation preparation;
    private final com.wagateway.services.ConnectionLeases leases;
    private final com.wagateway.database.PgNotifications notifications;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, Threads.named("send-dispatch"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.named("send-timer"));
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final SendWaiters waiters = new SendWaiters();
    private final SendsElsewhere elsewhere;

    /** One drain at a time per connection; {@code again} asks the running drain for another pass. */
    private static final class Lane {
        final AtomicBoolean running = new AtomicBoolean();
        final AtomicBoolean again = new AtomicBoolean();
    }

    public SendDispatcher(MessageRepository messages, ConnectionRepository connections, EngineClient engine,
                          WebhookOutbox outbox, TransactionTemplate tx, Publisher events,
                          GatewayProperties props, SendPreparation preparation,
                          com.wagateway.services.ConnectionSettingsService connectionSettings,
                          com.wagateway.services.ConnectionLeases leases,
                          com.wagateway.database.PgNotifications notifications) {
        this.notifications = notifications;
        this.elsewhere = new SendsElsewhere(waiters, messages, notifications, timer);
        this.leases = leases;
        this.preparation = preparation;
        this.messages = messages;
        this.connections = connections;
        this.engine = engine;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
        this.settings = props.messaging();
        // the global pace, overridden per connection by its send_rate_per_minute / send_burst settings
        this.pacer = new SendPacer(settings.sendRatePerMinute(), settings.sendBurst(), id -> {
            var s = connectionSettings.current(id);
            return new SendPacer.Pace(s.sendRatePerMinute(), s.sendBurst());
        });
    }

    @PostConstruct
    void start() {
        timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        notifications.subscribe(SendsElsewhere.SEND_CHANNEL, id -> {
            if (leases.owns(id)) {
                trigger(id);
            }
        });
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A connection became ready: send what waited for it. */
    @EventListener
    void onStatus(ConnectionStatusChanged change) {
        if (change.connection().status() == ConnectionStatus.READY) {
            trigger(change.connection().connectionId());
        }
    }

    /**
     * Returns a future completed when the message has left the queue or the dispatcher knows it
     * must wait (with the reason). Call before {@link #trigger}.
     */
    CompletableFuture<SendOutcome> watch(String connectionId, UUID messageId) {
        return waiters.watch(connectionId, messageId);
    }

    void unwatch(UUID messageId) {
        waiters.unwatch(messageId);
    }

    /** Milliseconds until the pacer would let this connection send. */
    long pacingWait(String connectionId) {
        return pacer.waitFor(connectionId, System.currentTimeMillis());
    }

    /** Starts a drain of this connection's queue (or asks the running one for another pass). */
    void trigger(String connectionId) {
        Lane lane = lanes.computeIfAbsent(connectionId, k -> new Lane());
        lane.again.set(true);
        if (lane.running.compareAndSet(false, true)) {
            try {
                workers.execute(() -> run(connectionId, lane));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                lane.running.set(false);
            }
        }
    }

    private void run(String connectionId, Lane lane) {
        try {
            while (lane.again.getAndSet(false)) {
                if (drain(connectionId)) {
                    lane.again.set(true);
                }
            }
        } catch (RuntimeException e) {
            log.warn("[{}] send queue drain failed: {}", connectionId, e.toString());
        } finally {
            lane.running.set(false);
        }
        if (lane.again.get()) {
            trigger(connectionId);
        }
    }

    /** One pass over the queue head; true when another pass should follow at once. */
    private boolean drain(String connectionId) {
        if (!leases.owns(connectionId)) {
            // issue 17: only the owner's dispatcher sends; an API call waiting here wakes it
            elsewhere.handOver(connectionId);
            return false;
        }
        Optional<ConnectionRow> conn = connections.find(connectionId);
        if (conn.isEmpty() || conn.get().status() != ConnectionStatus.READY) {
            release(connectionId, conn.map(c -> c.status().wire()).orElse("deleted"));
            return false;
        }
        List<QueuedMessage> queue = messages.findQueued(connectionId, SCAN);
        Instant now = Instant.now();
        Set<String> seenChats = new HashSet<>();
        List<QueuedMessage> batch = new ArrayList<>();
        for (QueuedMessage m : queue) {
            if (!seenChats.add(m.chatJid())) {
                release(m.id(), "chat_busy");
                continue;
            }
            if (m.nextAttemptAt() != null && m.nextAttemptAt().isAfter(now)) {
                release(m.id(), "retrying");
                later(connectionId, Duration.between(now, m.nextAttemptAt()));
                continue;
            }
            if (batch.size() < IN_FLIGHT_CHATS) {
                batch.add(m);
            }
        }
        List<QueuedMessage> allowed = new ArrayList<>();
        for (QueuedMessage m : batch) {
            long wait = pacer.tryAcquire(connectionId, System.currentTimeMillis());
            if (wait > 0) {
                later(connectionId, Duration.ofMillis(wait));
                batch.subList(allowed.size(), batch.size()).forEach(x -> release(x.id(), "pacing"));
                break;
            }
            allowed.add(m);
        }
        // all sends of this pass go out concurrently; their results are recorded here, on the
        // lane's thread (never on the engine's reader thread), all successes in one transaction
        Map<UUID, String> outgoing = messages.findOutgoing(allowed.stream().map(QueuedMessage::id).toList());
        List<CompletableFuture<EngineCommands.Sent>> inFlight = allowed.stream()
                .map(m -> sendOne(conn.get(), m, outgoing.get(m.id()))).toList();
        boolean progressed = false;
        List<SentUpdate> sent = new ArrayList<>();
        for (int i = 0; i < allowed.size(); i++) {
            QueuedMessage m = allowed.get(i);
            try {
                EngineCommands.Sent result = inFlight.get(i).join();
                if (result == null) {
                    progressed = true; // expired or handled meanwhile
                } else {
                    // WhatsApp took it: the content as sent (kept for getMessage) and WhatsApp's timestamp
                    sent.add(new SentUpdate(m.id(), result.contentJson(), result.timestamp()));
                }
            } catch (CompletionException e) {
                progressed |= onError(connectionId, m, unwrap(e));
            } catch (RuntimeException e) {
                log.warn("[{}] could not record the send result of {}: {}", connectionId, m.id(), e.toString());
            }
        }
        progressed |= recordSent(connectionId, sent);
        return progressed && queue.size() > allowed.size();
    }

    /**
     * Sends one queued message as {@link SendPreparation} prepared it; completes with null when
     * there was nothing left to send or it ended failed without an attempt reaching WhatsApp.
     */
    private CompletableFuture<EngineCommands.Sent> sendOne(ConnectionRow conn, QueuedMessage m, String outgoing) {
        String connectionId = conn.connectionId();
        if (outgoing == null) {
            return CompletableFuture.completedFuture(null); // expired or handled meanwhile
        }
        SendPreparation.Prepared prepared = preparation.prepare(conn, m, outgoing);
        if (prepared.failure() != null) {
            fail(connectionId, m.id(), prepared.failure(), prepared.attempted());
            return CompletableFuture.completedFuture(null);
        }
        return engine.send(connectionId, prepared.send());
    }

    /**
     * WhatsApp accepted these: {@code sent} with their {@code message.sent} webhooks, in one
     * statement and one commit for the whole pass, then the waiting API calls are answered. A
     * failed commit is tried once more: a message left {@code queued} would be sent again (with
     * the same WhatsApp id, so WhatsApp keeps one, but still a repeat worth avoiding).
     */
    private boolean recordSent(String connectionId, List<SentUpdate> sent) {
        if (sent.isEmpty()) {
            return false;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                List<MessageRow> rows = tx.execute(s -> {
                    List<MessageRow> r = messages.markSent(sent);
                    outbox.enqueue(r.stream().map(WebhookPayloads::sent).toList());
                    return r;
                });
                rows.forEach(r -> finished(connectionId, r));
                return true;
            } catch (RuntimeException e) {
                log.warn("[{}] could not record {} sent messages (attempt {}): {}", connectionId, sent.size(), attempt,
                        e.toString());
            }
        }
        return true;
    }

    /**
     * Not ready / no engine: nothing was attempted, wait for {@code ready}. Refused content (a 4xx
     * other than 408/428/429, or a bad request) fails at once; anything else is retried later.
     * A failure that is not an engine error is treated as "engine unavailable" (retried).
     */
    private boolean onError(String connectionId, QueuedMessage m, Throwable error) {
        EngineException ee = error instanceof EngineException e ? e : new EngineException.Unavailable(String.valueOf(error));
        if (ee instanceof EngineException.NotReady || (ee.isUnavailable() && !engine.isAvailable(connectionId))) {
            release(m.id(), "reconnecting");
            return false;
        }
        Integer code = ee instanceof EngineException.SendFailed f ? f.statusCode() : null;
        boolean refused = ee instanceof EngineException.BadRequest
                || (code != null && code >= 400 && code < 500 && code != 408 && code != 428 && code != 429);
        String reason = ee.code() + (code != null ? " " + code : "") + ": " + ee.getMessage();
        int attempts = m.attempts() + 1;
        if (refused || attempts >= settings.sendMaxAttempts()) {
            // (463, a new contact of a restricted account, is refused too: a retry would count as another reach-out)
            fail(connectionId, m.id(), code != null && code == AccountRestrictions.ACCOUNT_RESTRICTED_ACK ? AccountRestrictions.refusedByWhatsapp()
                    : (refused ? "refused by WhatsApp: " : "gave up after " + attempts + " attempts: ") + reason, true);
            return true;
        }
        Duration delay = backoff(attempts);
        log.info("[{}] send attempt {} of a message failed ({}); retrying in {} ms", connectionId, attempts, reason, delay.toMillis());
        messages.markRetry(m.id(), reason, Instant.now().plus(delay));
        release(m.id(), "retrying");
        later(connectionId, delay);
        return false;
    }

    /** Ends a message as failed with its webhook event, in one transaction; {@code attempted}: count the attempt. */
    private void fail(String connectionId, UUID id, String reason, boolean attempted) {
        Optional<MessageRow> row = tx.execute(s -> {
            Optional<MessageRow> r = messages.markFailed(id, reason, attempted);
            r.ifPresent(x -> outbox.enqueue(List.of(WebhookPayloads.status(x))));
            return r;
        });
        row.ifPresent(r -> finished(connectionId, r));
    }

    /** {@code SEND_RETRY_BASE} doubling per attempt up to {@code SEND_RETRY_MAX}: the shared {@link Backoff}, 25 % jitter. */
    Duration backoff(int attempts) {
        return new Backoff(settings.sendRetryBase(), settings.sendRetryMax(), SEND_JITTER)
                .delay(attempts, ThreadLocalRandom.current());
    }

    /** Every second: expire what outlived {@code SEND_QUEUE_TTL}, then drain ready connections with due messages. */
    private void sweep() {
        try {
            List<MessageRow> expired = tx.execute(s -> {
                List<MessageRow> rows = messages.expireQueued(Instant.now());
                outbox.enqueue(rows.stream().map(WebhookPayloads::status).toList());
                return rows;
            });
            for (MessageRow r : expired) {
                log.info("[{}] a queued message expired unsent", r.connectionId());
                finished(r.connectionId(), r);
            }
            messages.connectionsWithDueMessages(Instant.now()).forEach(this::trigger);
        } catch (RuntimeException e) {
            log.warn("send queue sweep failed: {}", e.toString());
        }
    }

    private void finished(String connectionId, MessageRow row) {
        events.publish(new MessageEvents.StatusChanged(connectionId, row));
        waiters.done(row);
    }

    private void release(UUID id, String reason) {
        waiters.queued(id, reason);
    }

    /** Tells every API call waiting on this connection that its message stays queued. */
    private void release(String connectionId, String reason) {
        waiters.queuedAll(connectionId, reason);
    }

    private void later(String connectionId, Duration delay) {
        try {
            timer.schedule(() -> trigger(connectionId), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("send timer stopped");
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
