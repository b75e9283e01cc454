package com.wagateway.messaging;

import com.wagateway.database.MessageRepository.QueuedMessage;
import com.wagateway.whatsapp.EngineCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's send lane in {@link SendDispatcher}: at most one drain runs at a time
 * ({@link #running}; {@link #again} asks it for another pass), and the sends it handed to the
 * engine are tracked until their outcome is recorded, so the lane never waits for them (issue 18:
 * a message that arrives while others are in flight goes out at once, not after the whole pass).
 *
 * <p>Guarantees: a message stays {@linkplain #isInFlight in flight} from the moment it is handed
 * to the engine until its outcome was recorded in the database (sent, retry or failed), so a
 * drain reading the queue meanwhile never sends it a second time, and its chat counts as busy (one
 * message per chat in flight: order per chat). Outcomes arrive on engine threads and only queue
 * here; they are recorded on the lane's own drain.
 */
final class SendLane {

    /** A send's outcome as the engine reported it: {@code sent} null with no error = nothing was sent. */
    record Outcome(QueuedMessage message, EngineCommands.Sent sent, Throwable error) {
    }

    final AtomicBoolean running = new AtomicBoolean();
    final AtomicBoolean again = new AtomicBoolean();
    /** Message id to chat of every send handed to the engine whose outcome is not recorded yet. */
    private final Map<UUID, String> inFlight = new ConcurrentHashMap<>();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

    /** Tracks a message handed to the engine now. */
    void sending(QueuedMessage m) {
        inFlight.put(m.id(), m.chatJid());
    }

    /** An engine thread reports a send's outcome (recorded at the lane's next drain). */
    void finished(Outcome outcome) {
        outcomes.add(outcome);
    }

    /** Takes every outcome reported so far (their messages stay in flight until {@link #recorded}). */
    List<Outcome> takeOutcomes() {
        List<Outcome> taken = new ArrayList<>();
        for (Outcome o = outcomes.poll(); o != null; o = outcomes.poll()) {
            taken.add(o);
        }
        return taken;
    }

    /** The outcome of these messages is in the database: they may be read as queued again only if they are. */
    void recorded(List<Outcome> done) {
        done.forEach(o -> inFlight.remove(o.message().id()));
    }

    boolean isInFlight(UUID messageId) {
        return inFlight.containsKey(messageId);
    }

    /** The ids of the sends in flight (a copy). */
    Set<UUID> inFlightIds() {
        return new HashSet<>(inFlight.keySet());
    }

    /** The chats with a send in flight (a copy the caller may add to). */
    Set<String> busyChats() {
        return new HashSet<>(inFlight.values());
    }

    /** Sends handed to the engine and not recorded yet. */
    int inFlightCount() {
        return inFlight.size();
    }
}
