package com.wagateway.realtime;

import com.wagateway.database.PgNotifications;
import com.wagateway.database.RealtimeRelayRepository;
import com.wagateway.services.ConnectionLeases;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
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
        void receive(String connectionId, String event, JsonNode payload);
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
                JsonNode n = json.readTree(text);
                if (leases.nodeId().equals(n.path("n").asString(null))) {
                    return; // our own event: already emitted here
                }
                if (n.has("r")) {
                    String full = relay.find(n.path("r").asLong()).orElse(null);
                    if (full == null) {
                        return;
                    }
                    n = json.readTree(full);
                }
                String event = n.path("e").isNull() || n.path("e").isMissingNode() ? null : n.path("e").asString();
                receiver.receive(n.path("c").asString(), event, n.path("p"));
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
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("n", leases.nodeId());
            envelope.put("c", connectionId);
            envelope.put("e", event);
            envelope.put("p", payload);
            String text = json.writeValueAsString(envelope);
            if (text.getBytes(StandardCharsets.UTF_8).length > PgNotifications.MAX_PAYLOAD) {
                long id = relay.store(text);
                if (stored.incrementAndGet() % 100 == 0) {
                    relay.sweep();
                }
                text = "{\"n\":" + json.writeValueAsString(leases.nodeId()) + ",\"r\":" + id + "}";
            }
            notifications.publish(CHANNEL, text);
        } catch (RuntimeException e) {
            log.debug("[{}] realtime event {} not relayed to other nodes: {}", connectionId, event, e.toString());
        }
    }
}
