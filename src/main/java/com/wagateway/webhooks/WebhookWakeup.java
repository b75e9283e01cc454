package com.wagateway.webhooks;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The in-process signal that wakes the dispatcher when work may be waiting, so a committed event
 * goes out at once instead of at the next poll. Many signals before the dispatcher looks collapse
 * into one wake-up, which says which connections they were about (or "any"), so the dispatcher
 * can tell a signal it must act on from one about a connection it lets rest ({@link ClaimPacer}).
 * Other instances find the work by polling.
 */
@Component
public class WebhookWakeup {

    /** What woke the dispatcher: {@code any}, or work of these connections only. */
    record Signal(boolean any, Set<String> connections) {
    }

    private final Semaphore signal = new Semaphore(0);
    private final AtomicBoolean any = new AtomicBoolean();
    private final Set<String> touched = ConcurrentHashMap.newKeySet();

    /** Wakes the dispatcher now, for any connection's work. */
    public void wake() {
        any.set(true);
        release();
    }

    /** Wakes the dispatcher now, for these connections' work. */
    void wake(Collection<String> connectionIds) {
        touched.addAll(connectionIds);
        release();
    }

    /**
     * Wakes the dispatcher for these connections when the current transaction commits (a
     * rolled-back event must not be looked for), or now when no transaction is active (the insert
     * already committed).
     */
    public void wakeAfterCommit(Collection<String> connectionIds) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            Set<String> ids = Set.copyOf(connectionIds);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wake(ids);
                }
            });
        } else {
            wake(connectionIds);
        }
    }

    private void release() {
        if (signal.availablePermits() == 0) {
            signal.release();
        }
    }

    /**
     * Waits for a signal or the timeout; null on timeout. The returned signal holds everything
     * signalled up to now; a signal that arrives meanwhile is kept for the next call (its permit
     * is released after its connections are added).
     */
    Signal await(long millis) throws InterruptedException {
        boolean woke = signal.tryAcquire(millis, TimeUnit.MILLISECONDS);
        signal.drainPermits();
        if (!woke) {
            return null;
        }
        Set<String> ids = new HashSet<>();
        for (String id : touched) {
            if (touched.remove(id)) {
                ids.add(id);
            }
        }
        return new Signal(any.getAndSet(false), ids);
    }
}
