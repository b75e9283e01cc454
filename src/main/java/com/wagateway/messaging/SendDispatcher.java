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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <li>a drain never waits for the engine: what it handed over stays in its lane's in-flight set
 *     ({@link SendLane}) until the outcome is recorded, and each outcome triggers the next pass,
 *     so one chat's slow send holds back no other chat's (up to {@value QueueHead#IN_FLIGHT_CHATS} chats
 *     in flight per connection) and no worker thread is parked on a connection;</li>
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
    private final Map<String, SendLane> lanes = new ConcurrentHashMap<>();
    private final SendWaiters waiters = new SendWaiters();
    private final SendsElsewhere elsewhere;
    private final SendRecords records;
    private final QueueHead queueHead;

    public SendDispatcher(MessageRepository messages, ConnectionRepository connections, EngineClient engine,
                          WebhookOutbox outbox, TransactionTemplate tx, Publisher events,
                          GatewayProperties props, SendPreparation preparation,
                          com.wagateway.services.ConnectionSettingsService connectionSettings,
                          com.wagateway.services.ConnectionLeases leases,
                          com.wagateway.database.PgNotifications notifications) {
        this.notifications = notifications;
        this.elsewhere = new SendsElsewhere(waiters, messages, notifications, timer);
        this.records = new SendRecords(messages, outbox, tx, this::finished);
        this.leases = leases;
        this.preparation = preparation;
        this.messages = messages;
        this.queueHead = new QueueHead(messages);
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
        SendLane lane = lanes.computeIfAbsent(connectionId, k -> new SendLane());
        lane.again.set(true);
        if (lane.running.compareAndSet(false, true)) {
            try {
                workers.execute(() -> run(connectionId, lane));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                lane.running.set(false);
            }
        }
    }

    private void run(String connectionId, SendLane lane) {
        try {
            while (lane.again.getAndSet(false)) {
                drain(connectionId, lane);
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

    /**
     * One pass: records the outcomes reported since the last pass, then hands the engine the next
     * queue heads ({@link #nextToSend}) without waiting for them: each outcome triggers the next
     * pass, so a message arriving while others are in flight goes out at once.
     */
    private void drain(String connectionId, SendLane lane) {
        record(connectionId, lane);
        if (!leases.owns(connectionId)) {
            // issue 17: only the owner's dispatcher sends; an API call waiting here wakes it
            elsewhere.handOver(connectionId);
            return;
        }
        Optional<ConnectionRow> conn = connections.find(connectionId);
        if (conn.isEmpty() || conn.get().status() != ConnectionStatus.READY) {
            release(connectionId, conn.map(c -> c.status().wire()).orElse("deleted"));
            return;
        }
        List<QueuedMessage> batch = nextToSend(connectionId, lane);
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
        if (allowed.isEmpty()) {
            return;
        }
        Map<UUID, String> outgoing = messages.findOutgoing(allowed.stream().map(QueuedMessage::id).toList());
        for (QueuedMessage m : allowed) {
            lane.sending(m);
            CompletableFuture<EngineCommands.Sent> sent;
            try {
                sent = sendOne(conn.get(), m, outgoing.get(m.id()));
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e); // never left in flight without an outcome
            }
            sent.whenComplete((result, error) -> {
                lane.finished(new SendLane.Outcome(m, result, error == null ? null : unwrap(error)));
                trigger(connectionId);
            });
        }
    }

    /**
     * The queue heads to hand the engine now ({@link QueueHead}). Messages of a busy chat answer
     * their waiting caller {@code chat_busy}; a message waiting for its retry time schedules a pass then.
     */
    private List<QueuedMessage> nextToSend(String connectionId, SendLane lane) {
        Instant now = Instant.now();
        QueueHead.Head head = queueHead.read(connectionId, lane, now);
        head.busy().forEach(id -> release(id, "chat_busy"));
        for (QueuedMessage m : head.waiting()) {
            release(m.id(), "retrying");
            later(connectionId, Duration.between(now, m.nextAttemptAt()));
        }
        return head.toSend();
    }

    /**
     * Records the outcomes the engine reported (on the lane's thread, never on the engine's reader
     * thread): all successes in one transaction, failures one by one (retry or failed); only then
     * do those messages leave the in-flight set, so no pass can read one as still to send.
     */
    private void record(String connectionId, SendLane lane) {
        List<SendLane.Outcome> done = lane.takeOutcomes();
        if (done.isEmpty()) {
            return;
        }
        List<SentUpdate> sent = new ArrayList<>();
        try {
            for (SendLane.Outcome o : done) {
                QueuedMessage m = o.message();
                if (o.error() != null) {
                    onError(connectionId, m, o.error());
                } else if (o.sent() != null) {
                    // WhatsApp took it: the content as sent (kept for getMessage) and WhatsApp's timestamp
                    sent.add(new SentUpdate(m.id(), o.sent().contentJson(), o.sent().timestamp()));
                }
            }
            records.sent(connectionId, sent);
        } catch (RuntimeException e) {
            log.warn("[{}] could not record the outcome of {} sends: {}", connectionId, done.size(), e.toString());
        } finally {
            lane.recorded(done);
        }
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
            records.failed(connectionId, m.id(), prepared.failure(), prepared.attempted());
            return CompletableFuture.completedFuture(null);
        }
        return engine.send(connectionId, prepared.send());
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
            records.failed(connectionId, m.id(), code != null && code == AccountRestrictions.ACCOUNT_RESTRICTED_ACK ? AccountRestrictions.refusedByWhatsapp()
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
