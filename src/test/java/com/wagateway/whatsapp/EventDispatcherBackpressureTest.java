package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dispatcher while a listener cannot store (the database is unreachable): the failing call is
 * repeated until it succeeds, nothing is skipped or reordered, and once {@link EventDispatcher#CAPACITY}
 * lines wait, the engine's reader is held in {@code submit} (backpressure) until the listener
 * catches up. (The database side of this is DatabaseOutageIntegrationTest; here the listener
 * stands for it so the queue bound can be observed exactly.)
 */
class EventDispatcherBackpressureTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The failure the dispatcher treats as "database unreachable". */
    static final class Unreachable extends RuntimeException {
        Unreachable() {
            super("database unreachable");
        }
    }

    @Test
    void heldEventsAreRetriedInOrderAndAFullQueueBlocksTheReader() throws Exception {
        AtomicBoolean databaseDown = new AtomicBoolean(true);
        CountDownLatch firstAttempt = new CountDownLatch(1);
        List<String> stored = new CopyOnWriteArrayList<>();
        EngineListener listener = new EngineListener() {
            @Override
            public void onEvent(EngineEvent event) {
                firstAttempt.countDown();
                if (databaseDown.get()) {
                    throw new Unreachable();
                }
                stored.add(((EngineEvent.MessagesUpserted) event).messages().get(0).id());
            }
        };
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("listener", listener);
        EventDispatcher dispatcher = new EventDispatcher(beans.getBeanProvider(EngineListener.class),
                e -> e instanceof Unreachable);
        // the drain being retried holds up to MAX_EVENTS_PER_DRAIN lines outside the queue
        int total = EventDispatcher.CAPACITY + EventDispatcher.MAX_EVENTS_PER_DRAIN + 50;
        CountDownLatch allSubmitted = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            for (int n = 0; n < total; n++) {
                dispatcher.submit(null, line(n)); // no confirm tokens here
            }
            allSubmitted.countDown();
        }, "test-engine-reader");
        try {
            reader.start();
            assertThat(firstAttempt.await(10, TimeUnit.SECONDS)).isTrue();
            // the listener is stuck on event 0; the reader fills the queue and then waits in submit
            awaitState(reader, Thread.State.TIMED_WAITING);
            assertThat(allSubmitted.getCount()).as("reader held while the queue is full").isEqualTo(1);
            assertThat(stored).isEmpty();

            databaseDown.set(false);
            assertThat(allSubmitted.await(30, TimeUnit.SECONDS)).as("reader released").isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (stored.size() < total && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(stored).hasSize(total);
            for (int n = 0; n < total; n++) {
                assertThat(stored.get(n)).isEqualTo(Integer.toString(n));
            }
        } finally {
            databaseDown.set(false);
            dispatcher.stop();
        }
    }

    static JsonNode line(int n) {
        return JSON.readTree("{\"type\":\"event\",\"event\":\"messages.upsert\",\"connectionId\":\"c\",\"data\":{\"messages\":[{\"key\":{\"id\":\"" + n + "\"}}]}}");
    }

    /** Waits until the reader thread waits (in the queue's timed offer) — a positive signal, no sleep-and-hope. */
    static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reader thread is " + t.getState() + ", expected " + state);
            }
            Thread.sleep(10);
        }
    }
}
