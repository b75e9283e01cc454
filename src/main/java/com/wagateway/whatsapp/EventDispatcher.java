package com.wagateway.whatsapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import tools.jackson.databind.JsonNode;

/**
 * The one thread on which {@link EngineListener}s hear the engine.
 *
 * <p>Guarantees: events reach listeners in the order the engine wrote them, lifecycle calls
 * ({@link #toEach}) keep their place among them, a failing listener never stops the others, and
 * the engine's reader thread only enqueues (it never waits for Java's work). Consecutive message
 * events that queued up meanwhile are handed over together ({@link EngineListener#onEvents}).
 */
final class EventDispatcher {

    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);
    /** Upper bound of one drain: bounds one group commit's size and latency. */
    static final int MAX_EVENTS_PER_DRAIN = 100;

    private final ObjectProvider<EngineListener> listenerBeans;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "engine-events");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<JsonNode> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private List<EngineListener> listeners;

    EventDispatcher(ObjectProvider<EngineListener> listenerBeans) {
        this.listenerBeans = listenerBeans;
    }

    /** Queues an engine event line. */
    void submit(JsonNode line) {
        pending.add(line);
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

    /** Lets queued work finish (up to 5 s) and stops the thread. */
    void stop() {
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
        JsonNode line;
        while (batch.size() < MAX_EVENTS_PER_DRAIN && (line = pending.poll()) != null) {
            EngineEvents.parse(line).ifPresent(batch::add);
        }
        deliver(batch);
        if (!pending.isEmpty()) {
            scheduleDrain();
        }
    }

    /** Single events go to {@code onEvent}; a run of consecutive message events to {@code onEvents}. */
    private void deliver(List<EngineEvent> batch) {
        int i = 0;
        while (i < batch.size()) {
            int j = i + 1;
            if (batch.get(i) instanceof EngineEvent.MessageEvent) {
                while (j < batch.size() && batch.get(j) instanceof EngineEvent.MessageEvent) {
                    j++;
                }
            }
            List<EngineEvent> run = batch.subList(i, j);
            listeners().forEach(l -> safely(() -> {
                if (run.size() == 1) {
                    l.onEvent(run.get(0));
                } else {
                    l.onEvents(run);
                }
            }));
            i = j;
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
