package com.wagateway.services;

import com.wagateway.shared.Threads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Per-connection locks and timers shared by the lifecycle and the user-facing service.
 * At most one pending timer per connection: scheduling replaces the previous one, so a user
 * action can always cancel a pending reconnect. One scheduler thread serves every connection
 * (no thread per connection).
 */
@Component
public class ConnectionScheduler implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.named("connection-timers"));
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** The monitor that serializes state changes of one connection. */
    public Object lock(String connectionId) {
        return locks.computeIfAbsent(connectionId, k -> new Object());
    }

    /** Runs {@code task} after {@code delay}, replacing any pending timer of this connection. */
    public void schedule(String connectionId, Duration delay, Runnable task) {
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = timer.schedule(() -> {
            pending.remove(connectionId, self[0]);
            task.run();
        }, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> old = pending.put(connectionId, self[0]);
        if (old != null) {
            old.cancel(false);
        }
    }

    /** Cancels this connection's pending timer, if any. */
    public void cancel(String connectionId) {
        ScheduledFuture<?> old = pending.remove(connectionId);
        if (old != null) {
            old.cancel(false);
        }
    }

    /** Whether a timer of this connection is waiting to run (tests use it as proof that nothing will). */
    public boolean hasPending(String connectionId) {
        return pending.containsKey(connectionId);
    }

    /** Cancels the pending tasks of the connections {@code which} accepts (one engine process' share). */
    public void cancelWhere(java.util.function.Predicate<String> which) {
        pending.keySet().stream().filter(which).forEach(this::cancel);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
