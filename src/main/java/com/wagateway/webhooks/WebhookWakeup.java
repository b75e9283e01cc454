package com.wagateway.webhooks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The in-process signal that wakes the dispatcher when work may be waiting, so a committed event
 * goes out at once instead of at the next poll. Many signals before the dispatcher looks collapse
 * into one wake-up. Other instances find the work by polling.
 */
@Component
public class WebhookWakeup {

    private final Semaphore signal = new Semaphore(0);

    /** Wakes the dispatcher now. */
    public void wake() {
        if (signal.availablePermits() == 0) {
            signal.release();
        }
    }

    /**
     * Wakes the dispatcher when the current transaction commits (a rolled-back event must not be
     * looked for), or now when no transaction is active (the insert already committed).
     */
    public void wakeAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wake();
                }
            });
        } else {
            wake();
        }
    }

    /** Waits for a signal or the timeout; true when signalled. */
    boolean await(long millis) throws InterruptedException {
        boolean woke = signal.tryAcquire(millis, TimeUnit.MILLISECONDS);
        signal.drainPermits();
        return woke;
    }
}
