package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.QueuedMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a connection's queue head for the send dispatcher: in arrival order, the first queued
 * message of each chat with nothing in flight, up to the lane's free slots.
 *
 * <p>It reads the queue in pages sized to the free slots (issue 18: reading {@link #SCAN} rows per
 * outcome was the costliest statement of a deep queue), growing while they hold only busy chats,
 * and never more than {@link #SCAN} rows, as before. With no free slot it reads nothing: the next
 * outcome frees one and triggers a pass.
 */
final class QueueHead {

    static final int IN_FLIGHT_CHATS = 32;
    private static final int SCAN = 200;
    private static final int FIRST_PAGE = 8; // rows, at least (twice the free slots when more)

    /**
     * One read: what to send now, the messages of a chat already busy (they stay queued behind it)
     * and the messages still waiting for their retry time.
     */
    record Head(List<QueuedMessage> toSend, List<UUID> busy, List<QueuedMessage> waiting) {
    }

    private final MessageRepository messages;

    QueueHead(MessageRepository messages) {
        this.messages = messages;
    }

    /** The queue head of {@code connectionId} given its lane's sends in flight, as of {@code now}. */
    Head read(String connectionId, SendLane lane, Instant now) {
        Set<UUID> inFlight = lane.inFlightIds();
        int free = IN_FLIGHT_CHATS - inFlight.size();
        Set<String> seenChats = lane.busyChats(); // one message per chat in flight: order per chat
        Head head = new Head(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        QueuedMessage last = null;
        int read = 0;
        int page = Math.max(FIRST_PAGE, 2 * free);
        while (head.toSend().size() < free && read < SCAN) {
            int limit = Math.min(page, SCAN - read);
            List<QueuedMessage> rows = messages.findQueued(connectionId, inFlight, last, limit);
            for (QueuedMessage m : rows) {
                if (!seenChats.add(m.chatJid())) {
                    head.busy().add(m.id());
                } else if (m.nextAttemptAt() != null && m.nextAttemptAt().isAfter(now)) {
                    head.waiting().add(m);
                } else if (head.toSend().size() < free) {
                    head.toSend().add(m);
                }
            }
            read += rows.size();
            if (rows.size() < limit) {
                break; // the end of the queue
            }
            last = rows.get(rows.size() - 1);
            page = page * 4;
        }
        return head;
    }
}
