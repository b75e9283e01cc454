package com.wagateway.realtime;

import com.wagateway.database.PgNotifications;
import com.wagateway.database.RealtimeRelayRepository;
import com.wagateway.services.ConnectionLeases;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Carries realtime events to the Socket.IO clients of the other gateway nodes (issue 17): each
 * event is emitted on the node where it happened, which hands it to the others through PostgreSQL
 * {@code NOTIFY}; a payload over 7,000 bytes is stored in {@code realtime_relay} and the
 * notification carries its id. Each node emits what it receives to its own clients, so a client
 * sees every event once, whichever node it is connected to.
 *
 * <p>Costs nothing with one node: nothing is serialized or sent while the last lease tick saw no
 * other live node. Best effort, like the realtime push itself: a dashboard reloads on reconnect.
 * Deleted connections are announced too, so no node keeps a stale owner for a reused id.
 */
@Component
public class RealtimeFanout {

    private static final Logger log = LoggerFactory.getLogger(RealtimeFanout.class);
    static final String CHANNEL = "gateway_realtime";

    /** What a receiving node does with an event: emit it locally, or forget a deleted connection ({@code event} null). */
    interface Receiver {
        void receive(String connectionId, String event, Object payload);
    }

    /**
     * The notification: sending node {@code n}, connection {@code c}, event {@code e} (null: the
     * connection was deleted), payload {@code p} as plain JSON values; or only {@code n} and the
     * id {@code r} of the stored envelope.
     */
    record Envelope(String n, String c, String e, Object p, Long r) {
    }

    private final PgNotifications notifications;
    private final RealtimeRelayRepository relay;
    private final ConnectionLeases leases;
    private final JsonMapper json;
    private final AtomicLong stored = new AtomicLong();

    public RealtimeFanout(PgNotifications notifications, RealtimeRelayRepository relay, ConnectionLeases leases, JsonMapper json) {
        this.notifications = notifications;
        this.relay = relay;
        this.leases = leases;
        this.json = json;
    }

    /** Starts receiving the other nodes' events. */
    void listen(Receiver receiver) {
        notifications.subscribe(CHANNEL, text -> {
            try {
                Envelope n = json.readValue(text, Envelope.class);
                if (leases.nodeId().equals(n.n())) {
                    return; // our own event: already emitted here
                }
                if (n.r() != null) {
                    String full = relay.find(n.r()).orElse(null);
                    if (full == null) {
                        return;
                    }
                    n = json.readValue(full, Envelope.class);
                }
                receiver.receive(n.c(), n.e(), n.p());
            } catch (RuntimeException e) {
                log.warn("could not relay a realtime event from another node: {}", e.toString());
            }
        });
    }

    /** Hands an event emitted here to the other nodes (nothing when this node is alone). */
    void publish(String connectionId, String event, Object payload) {
        if (leases.liveNodes() < 2) {
            return;
        }
        try {
            String text = json.writeValueAsString(new Envelope(leases.nodeId(), connectionId, event, payload, null));
            if (text.getBytes(StandardCharsets.UTF_8).length > PgNotifications.MAX_PAYLOAD) {
                long id = relay.store(text);
                if (stored.incrementAndGet() % 100 == 0) {
                    relay.sweep();
                }
                text = json.writeValueAsString(new Envelope(leases.nodeId(), null, null, null, id));
            }
            notifications.publish(CHANNEL, text);
        } catch (RuntimeException e) {
            log.debug("[{}] realtime event {} not relayed to other nodes: {}", connectionId, event, e.toString());
        }
    }
}
