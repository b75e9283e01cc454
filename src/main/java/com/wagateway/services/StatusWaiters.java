package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Lets a request wait (bounded) for a connection to reach a state, e.g. get-qr waiting for the
 * first QR, without polling the database: completed from {@link ConnectionStatusChanged}.
 */
@Component
public class StatusWaiters {

    private record Waiter(Predicate<ConnectionRow> until, CompletableFuture<ConnectionRow> done) {
    }

    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

    /**
     * Completes with the first published row of {@code id} matching {@code until}, or with null
     * after {@code timeout}. Register before triggering the change to never miss it.
     */
    public CompletableFuture<ConnectionRow> register(String id, Predicate<ConnectionRow> until, Duration timeout) {
        Waiter w = new Waiter(until, new CompletableFuture<>());
        waiters.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(w);
        return w.done().completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    List<Waiter> list = waiters.get(id);
                    if (list != null) {
                        list.remove(w);
                    }
                });
    }

    @EventListener
    void onChange(ConnectionStatusChanged change) {
        List<Waiter> list = waiters.get(change.connection().connectionId());
        if (list == null) {
            return;
        }
        for (Waiter w : list) {
            if (w.until().test(change.connection())) {
                w.done().complete(change.connection());
            }
        }
    }
}
