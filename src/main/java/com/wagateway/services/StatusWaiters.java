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
 * first QR: completed from {@link ConnectionStatusChanged} for the connections this node runs.
 * Another node's status changes are not published here (issue 17: any node answers): after the
 * caller's own change (the connect), {@link #followStored} has the stored row of a connection this
 * node does not own read every 250 ms while someone waits for it, so a get-qr through any node
 * answers as soon as the owner stored the QR (and never with the row as it was before the connect).
 */
@Component
public class StatusWaiters {

    private static final long POLL_MS = 250;

    private record Waiter(Predicate<ConnectionRow> until, CompletableFuture<ConnectionRow> done) {
    }

    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final java.util.Set<String> followed = ConcurrentHashMap.newKeySet();
    private final com.wagateway.database.ConnectionRepository repo;
    private final org.springframework.beans.factory.ObjectProvider<ConnectionLeases> leases;
    private final java.util.concurrent.ScheduledExecutorService poller = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(com.wagateway.shared.Threads.named("status-waiters"));

    public StatusWaiters(com.wagateway.database.ConnectionRepository repo,
                         org.springframework.beans.factory.ObjectProvider<ConnectionLeases> leases) {
        this.repo = repo;
        this.leases = leases;
        poller.scheduleWithFixedDelay(this::pollElsewhere, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * From now on, while anyone waits for {@code id} and this node does not run it, its waiters are
     * also fed the stored row (call it after the change the caller waits to see the effects of).
     */
    public void followStored(String id) {
        ConnectionLeases l = leases.getIfAvailable();
        if (l != null && !l.owns(id)) {
            followed.add(id);
        }
    }

    /** Reads the stored rows of followed connections (another node runs them; their changes are not published here). */
    private void pollElsewhere() {
        for (String id : followed) {
            List<Waiter> list = waiters.get(id);
            if (list == null || list.isEmpty()) {
                followed.remove(id);
                continue;
            }
            try {
                repo.find(id).ifPresent(row -> onChange(new ConnectionStatusChanged(row)));
            } catch (RuntimeException ex) {
                // database unreachable: the waiter's own timeout answers
            }
        }
    }

    @jakarta.annotation.PreDestroy
    void close() {
        poller.shutdownNow();
    }

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
