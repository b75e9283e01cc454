package com.wagateway.messaging;

import com.wagateway.database.MessageRow;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API calls waiting for their message's first outcome (SendService waits up to
 * {@code SEND_WAIT}). Each waiter is completed at most once: with the row when the message left
 * the queue, or with the reason it stays queued; a completed or abandoned waiter is forgotten, so
 * the map holds only calls still waiting.
 */
final class SendWaiters {

    private record Waiter(String connectionId, CompletableFuture<SendOutcome> future) {
    }

    private final Map<UUID, Waiter> waiters = new ConcurrentHashMap<>();

    /** The future of this message's waiter (one per message, shared by concurrent callers). */
    CompletableFuture<SendOutcome> watch(String connectionId, UUID messageId) {
        return waiters.computeIfAbsent(messageId, k -> new Waiter(connectionId, new CompletableFuture<>())).future();
    }

    /** The caller stopped waiting (answered, timed out): nothing will complete it any more. */
    void unwatch(UUID messageId) {
        waiters.remove(messageId);
    }

    /** True while some API call waits for a message of this connection. */
    boolean anyFor(String connectionId) {
        return waiters.values().stream().anyMatch(w -> w.connectionId().equals(connectionId));
    }

    /** The ids of the messages of this connection someone waits for. */
    List<UUID> waitingFor(String connectionId) {
        return waiters.entrySet().stream().filter(e -> e.getValue().connectionId().equals(connectionId))
                .map(Map.Entry::getKey).toList();
    }

    /** The message left the queue (sent, failed, expired): its waiter gets the row. */
    void done(MessageRow row) {
        Waiter w = waiters.remove(row.id());
        if (w != null) {
            w.future().complete(SendOutcome.done(row));
        }
    }

    /** The message stays queued for {@code reason}: its waiter is answered 202 with it. */
    void queued(UUID id, String reason) {
        Waiter w = waiters.remove(id);
        if (w != null) {
            w.future().complete(SendOutcome.queued(reason));
        }
    }

    /** Every message of this connection someone waits for stays queued for {@code reason}. */
    void queuedAll(String connectionId, String reason) {
        waitingFor(connectionId).forEach(id -> queued(id, reason));
    }
}
