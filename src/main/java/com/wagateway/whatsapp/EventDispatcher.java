package com.wagateway.whatsapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import com.wagateway.shared.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import tools.jackson.databind.JsonNode;

/**
 * The one thread on which {@link EngineListener}s hear the engine.
 *
 * <p>Guarantees: events reach listeners in the order the engine wrote them, lifecycle calls
 * ({@link #toEach}) keep their place among them, a failing listener never stops the others.
 * Consecutive message events that queued up meanwhile are handed over together
 * ({@link EngineListener#onEvents}).
 *
 * <p>Nothing is dropped while the database is unreachable: a listener call that fails because of
 * that ({@code retryable}) is repeated with backoff until it succeeds, before any later event is
 * delivered, so order is kept. Meanwhile at most {@link #CAPACITY} lines wait in the queue; when
 * it is full, the engine's stdout reader blocks in {@link #submit}, the engine's pipe fills up and
 * the engine stops getting its writes through — backpressure instead of unbounded memory. Any other
 * listener failure (this event cannot be stored) is logged and not retried.
 *
 * <p>A {@code messages.upsert} reported before its receipt carries a {@code confirm} token (hello
 * {@code holdReceipts}): once every listener has handled the drain that held it (committed, or
 * failed for good), the token goes back to the engine process that wrote it ({@code inbound.stored}),
 * and only then does WhatsApp get the message's receipt. A drain given up on (shutdown while the
 * database is unreachable) confirms nothing, so WhatsApp sends those messages again.
 */
final class EventDispatcher {

    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);
    /** Upper bound of one drain: bounds one group commit's size and latency. */
    static final int MAX_EVENTS_PER_DRAIN = 100;
    /** Engine lines held at most; beyond that the engine's output waits (backpressure). */
    static final int CAPACITY = 5_000;
    private static final long RETRY_FIRST_MS = 200;
    private static final long RETRY_MAX_MS = 5_000;

    private final ObjectProvider<EngineListener> listenerBeans;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.named("engine-events"));
    private final LinkedBlockingQueue<Queued> pending = new LinkedBlockingQueue<>(CAPACITY);

    /** An event line and where its confirm token goes (null: nobody to confirm to). */
    private record Queued(InboundConfirmations from, JsonNode line) {
    }
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Predicate<Throwable> retryable;
    private volatile boolean stopped;
    private List<EngineListener> listeners;

    /**
     * @param retryable which listener failures are temporary (the database is unreachable) and
     *                  are retried until they succeed
     */
    EventDispatcher(ObjectProvider<EngineListener> listenerBeans, Predicate<Throwable> retryable) {
        this.listenerBeans = listenerBeans;
        this.retryable = retryable;
    }

    /**
     * Queues an engine event line of process {@code from}, where its confirm token goes back (null:
     * nobody to confirm to). Blocks the caller (the engine's stdout reader) while
     * {@link #CAPACITY} lines are already waiting: that is the backpressure on the engine.
     */
    void submit(InboundConfirmations from, JsonNode line) {
        Queued q = new Queued(from, line);
        try {
            if (!pending.offer(q)) {
                log.warn("{} engine events are waiting (is the database down?); pausing the engine's output", CAPACITY);
                while (!pending.offer(q, 1, TimeUnit.SECONDS)) {
                    scheduleDrain();
                    if (stopped) {
                        log.warn("dispatcher stopped; an engine event was not queued");
                        return;
                    }
                }
                log.info("engine output resumed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        scheduleDrain();
    }

    /** Calls every listener, in order, on the dispatcher thread (after the events queued before). */
    void toEach(Consumer<EngineListener> call) {
        try {
            thread.execute(() -> listeners().forEach(l -> safely(() -> call.accept(l))));
        } catch (RejectedExecutionException e) {
            log.debug("dispatcher stopped; lifecycle call dropped");
        }
    }

    /** Lets queued work finish (up to 5 s) and stops the thread; retries in progress give up. */
    void stop() {
        stopped = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                log.debug("dropping engine events during shutdown");
            }
        }
    }

    /**
     * Takes what has queued up since the last drain (at most {@link #MAX_EVENTS_PER_DRAIN} lines)
     * and delivers it in engine order. Consecutive message events go to listeners together, so
     * the inbound pipeline can commit them in one transaction: the busier the engine, the larger
     * the groups (group commit) — while an idle engine's single event is delivered at once. A
     * further drain is queued behind other dispatcher work (lifecycle calls keep their place).
     */
    private void drain() {
        drainScheduled.set(false);
        List<EngineEvent> batch = new ArrayList<>();
        java.util.Map<InboundConfirmations, List<String>> confirms = new java.util.LinkedHashMap<>();
        Queued q;
        int taken = 0;
        while (taken < MAX_EVENTS_PER_DRAIN && (q = pending.poll()) != null) {
            taken++;
            EngineEvents.parse(q.line()).ifPresent(batch::add);
            JsonNode token = q.line().path("data").get("confirm");
            if (q.from() != null && token != null && token.isString()) {
                confirms.computeIfAbsent(q.from(), k -> new ArrayList<>()).add(token.asString());
            }
        }
        if (deliver(batch)) {
            confirms.forEach(InboundConfirmations::confirm);
        }
        if (!pending.isEmpty()) {
            scheduleDrain();
        }
    }

    /**
     * Single events go to {@code onEvent}; a run of consecutive message events to {@code onEvents}.
     * False when a call was given up (stopping while the database is unreachable): not everything
     * was handled.
     */
    private boolean deliver(List<EngineEvent> batch) {
        boolean handled = true;
        int i = 0;
        while (i < batch.size()) {
            int j = i + 1;
            if (batch.get(i) instanceof EngineEvent.MessageEvent) {
                while (j < batch.size() && batch.get(j) instanceof EngineEvent.MessageEvent) {
                    j++;
                }
            }
            List<EngineEvent> run = batch.subList(i, j);
            for (EngineListener l : listeners()) {
                handled &= untilStored(() -> {
                    if (run.size() == 1) {
                        l.onEvent(run.get(0));
                    } else {
                        l.onEvents(run);
                    }
                }, run.size());
            }
            i = j;
        }
        return handled;
    }

    /**
     * Runs one listener call; while it fails because the database is unreachable, waits (200 ms
     * doubling to 5 s) and runs it again — the listener's transaction left nothing behind, and
     * listeners apply events idempotently (a message is stored once), so a retry after a commit
     * whose answer was lost repeats nothing. Other failures are logged once and not retried.
     */
    private boolean untilStored(Runnable call, int events) {
        long delay = RETRY_FIRST_MS;
        long since = 0;
        while (true) {
            try {
                call.run();
                if (since != 0) {
                    log.info("database reachable again: {} held engine event(s) stored after {} ms",
                            events, System.currentTimeMillis() - since);
                }
                return true;
            } catch (RuntimeException e) {
                if (!retryable.test(e)) {
                    log.error("engine listener failed", e);
                    return true;
                }
                if (stopped) {
                    log.error("shutting down while the database is unreachable: {} engine event(s) not stored", events);
                    return false;
                }
                if (since == 0) {
                    since = System.currentTimeMillis();
                    log.warn("database unreachable ({}); holding engine events and retrying", e.getMessage());
                }
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                log.error("interrupted while the database is unreachable: {} engine event(s) not stored", events);
                return false;
            }
            delay = Math.min(RETRY_MAX_MS, delay * 2);
        }
    }

    /**
     * The listener beans in order, looked up once (a bean-factory lookup per event run showed up
     * in the benchmark's profile). Only called on the dispatcher thread, after the context is up.
     */
    private List<EngineListener> listeners() {
        if (listeners == null) {
            listeners = listenerBeans.orderedStream().toList();
        }
        return listeners;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("engine listener failed", e);
        }
    }
}
