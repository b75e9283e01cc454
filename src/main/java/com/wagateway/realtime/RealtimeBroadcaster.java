package com.wagateway.realtime;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import com.fasterxml.jackson.databind.util.RawValue;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one way to push something to dashboards: {@code emit(connectionId, event, payload)}.
 * <p>
 * Guarantees: the event reaches every socket of the connection's owner and every socket that
 * subscribed to that connection (admins), each socket once, and nobody else: every receiver is
 * checked against the connection's current owner at emit time (a subscription alone is not
 * enough, since a connection id can be deleted and created again by another user). The payload is
 * written with the HTTP API's JSON settings (snake_case, ISO-8601 UTC) and always carries
 * {@code connection_id}. Callers emit only after their data is committed (listeners of events
 * published after commit, or {@code @TransactionalEventListener}), so a dashboard that reloads
 * on an event reads what the event announced. Never throws: a failed push is logged.
 * <p>
 * The owner of each connection is cached (owners never change while a connection exists); a
 * miss reads the {@code connections} row once.
 */
@Component
public class RealtimeBroadcaster {

    private static final Logger log = LoggerFactory.getLogger(RealtimeBroadcaster.class);

    private final RealtimeServer server;
    private final ConnectionRepository connections;
    private final JsonMapper json;
    private final Map<String, UUID> owners = new ConcurrentHashMap<>();
    private final RealtimeFanout fanout;

    public RealtimeBroadcaster(RealtimeServer server, ConnectionRepository connections, JsonMapper json, RealtimeFanout fanout) {
        this.server = server;
        this.connections = connections;
        this.json = json;
        this.fanout = fanout;
    }

    /** Events of the other nodes (issue 17) reach this node's sockets as if they happened here. */
    @jakarta.annotation.PostConstruct
    void listenToOtherNodes() {
        fanout.listen((connectionId, event, payload) -> {
            if (event == null) {
                forgetLocally(connectionId);
            } else {
                emitLocally(connectionId, event, payload);
            }
        });
    }

    /**
     * Pushes {@code event} with {@code payload} to the owner's sockets and the connection's
     * watchers, on this node and (through {@link RealtimeFanout}) on every other node.
     */
    public void emit(String connectionId, String event, Object payload) {
        emitLocally(connectionId, event, payload);
        if (connectionId != null) {
            fanout.publish(connectionId, event, payload);
        }
    }

    /** {@link #emit} to this node's sockets only. */
    private void emitLocally(String connectionId, String event, Object payload) {
        SocketIONamespace ns = server.namespace();
        if (ns == null || connectionId == null) {
            return;
        }
        try {
            Optional<UUID> owner = owner(connectionId);
            if (owner.isEmpty()) {
                return;
            }
            Map<UUID, SocketIOClient> receivers = new LinkedHashMap<>();
            for (String room : List.of(RealtimeServer.userRoom(owner.get()), RealtimeServer.watchRoom(connectionId))) {
                for (SocketIOClient c : ns.getRoomOperations(room).getClients()) {
                    if (RealtimeServer.maySee(c, owner.get())) {
                        receivers.putIfAbsent(c.getSessionId(), c);
                    }
                }
            }
            if (receivers.isEmpty()) {
                return; // nobody is watching: the payload is not even serialized (hot inbound path)
            }
            Object body = wire(connectionId, payload);
            for (SocketIOClient c : receivers.values()) {
                c.sendEvent(event, body);
            }
        } catch (RuntimeException e) {
            log.warn("[{}] could not push {}: {}", connectionId, event, e.toString());
        }
    }

    /** Records who owns a connection (the status relay passes every committed row through here). */
    public void rememberOwner(String connectionId, UUID owner) {
        if (owner != null) {
            owners.put(connectionId, owner);
        }
    }

    /**
     * Forgets a deleted connection: its cached owner and every socket's subscription to it, so an
     * id created again by someone else is looked up afresh and reaches none of the old watchers.
     */
    public void forget(String connectionId) {
        forgetLocally(connectionId);
        fanout.publish(connectionId, null, null);
    }

    private void forgetLocally(String connectionId) {
        owners.remove(connectionId);
        SocketIONamespace ns = server.namespace();
        if (ns != null) {
            String room = RealtimeServer.watchRoom(connectionId);
            for (SocketIOClient c : ns.getRoomOperations(room).getClients()) {
                c.leaveRoom(room);
            }
        }
    }

    private Optional<UUID> owner(String connectionId) {
        UUID cached = owners.get(connectionId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<UUID> found = connections.find(connectionId).map(ConnectionRow::ownerId);
        found.ifPresent(o -> owners.put(connectionId, o));
        return found;
    }

    /**
     * The payload as JSON text that netty-socketio's Jackson 2 writes as it is (a raw value, so
     * its own settings — it leaves out null map values — cannot change it), produced by the API's
     * Jackson 3 mapper, so records, Instants, naming and explicit nulls match the HTTP API. An
     * object payload gets {@code connection_id} first.
     */
    Object wire(String connectionId, Object payload) {
        Object value = json.readValue(json.writeValueAsBytes(payload), Object.class);
        if (value instanceof Map<?, ?> object && !object.containsKey("connection_id")) {
            Map<Object, Object> withId = new LinkedHashMap<>();
            withId.put("connection_id", connectionId);
            withId.putAll(object);
            value = withId;
        }
        return new RawValue(json.writeValueAsString(value));
    }
}
