package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRow;
import com.wagateway.database.PgNotifications;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends accepted by this node for a connection another node owns (issue 17): only the owner's
 * dispatcher sends. This wakes the owner through {@code NOTIFY} (its one-second sweep finds the
 * stored row anyway) and follows the waiting API calls' rows every 100 ms until they leave the
 * queue; SendService stops waiting at {@code SEND_WAIT}. At most one follower runs per connection.
 */
final class SendsElsewhere {

    /** Notification channel: "a message of this connection is queued; send it if you own it". */
    static final String SEND_CHANNEL = "gateway_send";
    private static final long FOLLOW_EVERY_MS = 100;

    private final SendWaiters waiters;
    private final MessageRepository messages;
    private final PgNotifications notifications;
    private final ScheduledExecutorService timer;
    private final Set<String> following = ConcurrentHashMap.newKeySet();

    SendsElsewhere(SendWaiters waiters, MessageRepository messages, PgNotifications notifications, ScheduledExecutorService timer) {
        this.waiters = waiters;
        this.messages = messages;
        this.notifications = notifications;
        this.timer = timer;
    }

    /** This node does not own the connection: if an API call waits here, wake the owner and follow the rows. */
    void handOver(String connectionId) {
        if (waiters.anyFor(connectionId)) {
            notifications.tryPublish(SEND_CHANNEL, connectionId);
            if (following.add(connectionId)) {
                follow(connectionId);
            }
        }
    }

    private void follow(String connectionId) {
        boolean waiting = false;
        for (UUID id : waiters.waitingFor(connectionId)) {
            Optional<MessageRow> row = messages.findById(id);
            if (row.isPresent() && !"queued".equals(row.get().status())) {
                waiters.done(row.get());
            } else {
                waiting = true;
            }
        }
        if (!waiting) {
            following.remove(connectionId);
            return;
        }
        try {
            timer.schedule(() -> follow(connectionId), FOLLOW_EVERY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            following.remove(connectionId);
        }
    }
}
