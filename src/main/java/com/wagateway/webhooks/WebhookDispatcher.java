package com.wagateway.webhooks;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.webhooks.DeliveryRows.Attempt;
import com.wagateway.webhooks.DeliveryRows.Claim;
import com.wagateway.webhooks.DeliveryRows.ClaimResult;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Delivers queued webhook events. One claimer thread takes connections with due events from the
 * database (batched, {@code SKIP LOCKED}, leased) whenever it is woken (an enqueue committed, a
 * claim finished) or at the latest every poll interval; each claimed connection's events are sent
 * in order by a {@link ClaimRun} on the HTTP client's small worker pool; one recorder thread
 * writes finished claims back in batches and then publishes {@link WebhookDeliveryChanged}. A
 * connection claimed with less than a whole batch rests for {@code WEBHOOK_CLAIM_INTERVAL}
 * ({@link ClaimPacer}), so a steady stream goes out several events per claim.
 *
 * <p>Guarantees: at-least-once (an event is marked delivered only after a 2xx, and a crash
 * between sending and recording sends it again); at most {@code maxInFlight} connections served
 * at once, so memory and sockets stay bounded under any backlog; a connection that fails is
 * paused (shared backoff, circuit breaker) without holding a slot, so it never blocks others.
 */
@Component
public class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_CLAIM_PER_ROUND = 100;
    private static final long SWEEP_INTERVAL_MS = 10_000;
    private static final int MAX_RECORD_BATCH = 200;
    /** How often a held batch looks whether the claimer ran out of slots. */
    private static final long HOLD_CHECK_NANOS = 5_000_000;

    private final WebhookQueue queue;
    private final WebhookSender sender;
    private final WebhookWakeup wakeup;
    private final WebhookMetrics metrics;
    private final ApplicationEventPublisher events;
    private final GatewayProperties.Webhooks cfg;
    private final RetryPolicy policy;
    private final String instance;
    private final Semaphore slots;
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();

    /** A finished claim and the time ({@link System#nanoTime}) by which it is to be recorded. */
    private record Finished(ClaimResult result, long recordBy) {
    }

    private volatile boolean running;
    private volatile boolean recording;
    private Thread claimer;
    private Thread recorder;

    public WebhookDispatcher(WebhookQueue queue, WebhookSender sender, WebhookWakeup wakeup, WebhookMetrics metrics,
                             ApplicationEventPublisher events, GatewayProperties props) {
        this.queue = queue;
        this.sender = sender;
        this.wakeup = wakeup;
        this.metrics = metrics;
        this.events = events;
        this.cfg = props.webhooks();
        this.policy = new RetryPolicy(cfg.retryBase(), cfg.retryMax(), cfg.maxRetryAge(), RandomGenerator.getDefault());
        this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.slots = new Semaphore(Math.max(1, cfg.maxInFlight()));
    }

    @Override
    public void start() {
        running = true;
        recording = true;
        claimer = new Thread(this::claimLoop, "webhook-claimer");
        recorder = new Thread(this::recordLoop, "webhook-recorder");
        claimer.setDaemon(true);
        recorder.setDaemon(true);
        recorder.start();
        claimer.start();
        log.info("webhook dispatcher started as {}", instance);
    }

    /**
     * Stops claiming, lets running requests finish for a few seconds, records what finished, and
     * gives the remaining leases back so the events are sent again (by this or another instance).
     */
    @Override
    public void stop() {
        running = false;
        if (claimer == null) {
            return;
        }
        claimer.interrupt();
        join(claimer, 2000);
        try {
            slots.tryAcquire(Math.max(1, cfg.maxInFlight()), 3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recording = false;
        join(recorder, 5000);
        try {
            queue.releaseLeases(instance);
        } catch (RuntimeException e) {
            log.warn("could not release webhook leases (they expire by themselves): {}", e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server and the database go away (higher phases stop first). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    private void claimLoop() {
        long lastSweep = 0;
        ClaimPacer pacer = new ClaimPacer(cfg.claimInterval());
        boolean roundDue = true;
        while (running) {
            try {
                if (System.currentTimeMillis() - lastSweep > SWEEP_INTERVAL_MS) {
                    lastSweep = System.currentTimeMillis();
                    queue.ensureEndpoints();
                    queue.dropOrphans();
                    expire();
                }
                int want = Math.min(slots.availablePermits(), MAX_CLAIM_PER_ROUND);
                boolean starved = want == 0; // then the next signal, whatever it is about, may find a free slot
                if (roundDue && want > 0) {
                    long now = System.nanoTime();
                    int perClaim = Math.max(1, cfg.batchSize());
                    List<Claim> claims = queue.claim(instance, want, perClaim, cfg.circuitBreakerThreshold(), cfg.lease(),
                            pacer.resting(now));
                    for (Claim c : claims) {
                        boolean full = c.deliveries().size() >= perClaim;
                        pacer.claimed(c.connectionId(), full, now);
                        metrics.claimed();
                        slots.acquireUninterruptibly();
                        // a resting connection's outcome may wait half its rest: nobody can claim it before then
                        long recordBy = full ? now : now + cfg.claimInterval().toNanos() / 2;
                        new ClaimRun(c, sender, policy, cfg.perConnectionInFlight(), cfg.lease().toNanos() / 2,
                                r -> finished.add(new Finished(r, recordBy))).start();
                    }
                    if (claims.size() == want) {
                        continue; // probably more due: claim again at once
                    }
                }
                // a resting connection may have events waiting: look again when its rest ends
                long wait = cfg.pollInterval().toMillis();
                long rest = pacer.untilFirstRestEnds(System.nanoTime());
                if (rest >= 0) {
                    wait = Math.min(wait, Math.max(1, (rest + 999_999) / 1_000_000));
                }
                WebhookWakeup.Signal s = wakeup.await(wait);
                // a signal only about resting connections needs no round: their rest's end brings one
                roundDue = s == null || s.any() || starved || !pacer.allResting(s.connections(), System.nanoTime());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("webhook claim failed: {}", e.toString());
                sleep(cfg.pollInterval().toMillis());
            }
        }
    }

    /**
     * Writes finished claims in batches; a failed write is retried, then dropped (leases expire,
     * events resend). A batch waits for more finished claims until the first {@code recordBy} among
     * them, so the claims of a steady stream, whose connections rest anyway ({@link ClaimPacer}),
     * share one transaction instead of a commit each. It never waits when that could hold anything
     * up: a whole batch's claim (a backlog) is recorded at once, and so is everything when no slot
     * is free for the claimer or the dispatcher stops.
     */
    private void recordLoop() {
        boolean interrupted = false;
        while (!interrupted && (recording || !finished.isEmpty())) {
            List<Finished> held = new ArrayList<>();
            try {
                Finished first = finished.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                held.add(first);
                finished.drainTo(held, MAX_RECORD_BATCH - 1);
                long by = held.stream().mapToLong(Finished::recordBy).min().orElseThrow();
                while (held.size() < MAX_RECORD_BATCH && running && slots.availablePermits() > 0) {
                    long wait = by - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    Finished next = finished.poll(Math.min(wait, HOLD_CHECK_NANOS), TimeUnit.NANOSECONDS);
                    if (next != null) {
                        held.add(next);
                        by = Math.min(by, next.recordBy());
                        finished.drainTo(held, MAX_RECORD_BATCH - held.size());
                    }
                }
            } catch (InterruptedException e) {
                interrupted = true; // record what is held, then stop
            }
            if (held.isEmpty()) {
                continue;
            }
            List<ClaimResult> batch = held.stream().map(Finished::result).toList();
            metrics.recorded();
            List<Attempt> saved = save(batch);
            slots.release(batch.size());
            saved.forEach(this::announce);
            wakeup.wake(batch.stream().map(ClaimResult::connectionId).toList()); // their next events, and free slots
        }
    }

    /**
     * Records a batch in one transaction; if that fails, claim by claim (one bad claim must not
     * sink the others), each retried a few times, and for as long as the database is unreachable
     * (while running). What still fails is dropped: its lease expires and its events are sent
     * again. Returns the attempts as recorded (a delivery finished
     * meanwhile keeps its final state; see {@link WebhookQueue#insertAttempts}).
     */
    private List<Attempt> save(List<ClaimResult> batch) {
        try {
            return queue.record(batch);
        } catch (RuntimeException e) {
            log.warn("recording {} webhook claim(s) failed, recording them one by one: {}", batch.size(), e.toString());
        }
        List<Attempt> saved = new ArrayList<>();
        for (ClaimResult r : batch) {
            RuntimeException failure = null;
            // while the database is unreachable the results are kept and retried (a dropped result
            // would send those events again after recovery); a result the database refuses is tried 3 times
            for (int attempt = 1; attempt <= 3 || recording && DatabaseUnavailable.isCause(failure); attempt++) {
                try {
                    saved.addAll(queue.record(List.of(r)));
                    break;
                } catch (RuntimeException e) {
                    failure = e;
                    log.warn("[{}] recording webhook attempts failed (try {}): {}", r.connectionId(), attempt, e.toString());
                    sleep(Math.min(5000L, 200L * attempt));
                }
            }
        }
        return saved;
    }

    private void expire() {
        for (Attempt a : queue.expire(cfg.maxRetryAge())) {
            announce(a);
        }
    }

    /** After commit: metrics and the application event. A listener's failure never stops delivery. */
    private void announce(Attempt a) {
        metrics.record(a.state(), a.latencyMs());
        try {
            events.publishEvent(new WebhookDeliveryChanged(a.delivery().connectionId(), a.delivery().eventId(),
                    a.delivery().eventType(), a.state(), a.status(), a.attempt(), a.latencyMs(), a.error()));
        } catch (RuntimeException e) {
            log.warn("[{}] a WebhookDeliveryChanged listener failed: {}", a.delivery().connectionId(), e.toString());
        }
    }

    private static void join(Thread t, long ms) {
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
