package com.wagateway.realtime;

import com.wagateway.shared.Threads;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.UserRow;
import com.wagateway.domain.Caller;
import com.wagateway.services.ConnectionIds;
import com.wagateway.services.UserService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The Socket.IO server of the live dashboard (netty-socketio, its own port). Started and
 * stopped with the Spring context.
 * <p>
 * Guarantees: a socket reaches the {@value #NAMESPACE} namespace only with a valid, unused token
 * from {@code POST /api/realtime/token} (anything else gets {@code connect_error}); it joins
 * only its own user's room; a {@code subscribe} to a connection is granted to admins and to the
 * connection's owner. What is emitted, and to whom, is {@link RealtimeBroadcaster}'s job.
 */
@Component
public class RealtimeServer implements SmartLifecycle {

    public static final String NAMESPACE = "/realtime";

    private static final Logger log = LoggerFactory.getLogger(RealtimeServer.class);
    private static final String USER_ID = "wag_user_id";
    private static final String ADMIN = "wag_admin";

    private final GatewayProperties.Realtime cfg;
    private final RealtimeTokens tokens;
    private final UserService users;
    private final ConnectionRepository connections;
    private volatile SocketIOServer server;
    private volatile int boundPort;
    private volatile SocketIONamespace namespace;
    private java.util.concurrent.ScheduledExecutorService rechecks;

    public RealtimeServer(GatewayProperties props, RealtimeTokens tokens, UserService users,
                          ConnectionRepository connections) {
        this.cfg = props.realtime();
        this.tokens = tokens;
        this.users = users;
        this.connections = connections;
    }

    /** The room every socket of one user joins. */
    static String userRoom(UUID userId) {
        return "user:" + userId;
    }

    /** The room of sockets that subscribed to one connection (admins watching someone else's). */
    static String watchRoom(String connectionId) {
        return "watch:" + connectionId;
    }

    /**
     * Whether this socket may receive events of a connection owned by {@code owner}: the owner's
     * own sockets and admins' sockets. Checked for every emit, whatever rooms the socket is in.
     */
    static boolean maySee(SocketIOClient client, UUID owner) {
        String userId = client.get(USER_ID);
        return userId != null && (Boolean.TRUE.equals(client.get(ADMIN)) || userId.equals(owner.toString()));
    }

    /** The port the server listens on (the configured one, or the kernel's pick for 0); 0 while stopped. */
    public int port() {
        return server == null ? 0 : boundPort;
    }

    /** The namespace sockets live in, or null while the server is not running. */
    SocketIONamespace namespace() {
        return namespace;
    }

    public boolean enabled() {
        return cfg.enabled();
    }

    /** Binds the port (fails the application start if it is taken) and installs the listeners. */
    @Override
    public synchronized void start() {
        if (!cfg.enabled() || server != null) {
            return;
        }
        Configuration c = new Configuration();
        c.setHostname(cfg.host());
        c.setPort(cfg.port());
        c.setBossThreads(1);
        c.setWorkerThreads(2);
        c.getSocketConfig().setReuseAddress(true);
        if (!cfg.origin().isBlank()) {
            c.setOrigin(cfg.origin());
        }
        // Only Engine.IO v4 clients: the library skips namespace auth for v3 handshakes.
        c.setAuthorizationListener(data -> "4".equals(data.getSingleUrlParam("EIO"))
                ? AuthorizationResult.SUCCESSFUL_AUTHORIZATION : AuthorizationResult.FAILED_AUTHORIZATION);
        SocketIOServer s = new SocketIOServer(c);
        s.setPipelineFactory(new BareConnectGuard.Initializer(NAMESPACE));
        SocketIONamespace ns = s.addNamespace(NAMESPACE);
        ns.addAuthTokenListener(this::authenticate);
        ns.addConnectListener(this::onConnect);
        ns.addEventListener("subscribe", Map.class, (client, data, ack) -> {
            Map<String, Object> answer = subscribe(client, data);
            if (ack.isAckRequested()) {
                ack.sendAckData(answer);
            }
        });
        ns.addEventListener("unsubscribe", Map.class, (client, data, ack) -> {
            Object id = data == null ? null : data.get("connection_id");
            if (id instanceof String) {
                client.leaveRoom(watchRoom((String) id));
            }
            if (ack.isAckRequested()) {
                ack.sendAckData(Map.of("unsubscribed", true));
            }
        });
        // bind and learn the port actually bound: SOCKETIO_PORT=0 asks the kernel for a free one
        // (tests: no pick-then-bind race with other sockets on the machine)
        io.netty.channel.ChannelFuture bound = (io.netty.channel.ChannelFuture) s.startAsync().syncUninterruptibly();
        boundPort = ((java.net.InetSocketAddress) bound.channel().localAddress()).getPort();
        server = s;
        namespace = ns;
        long every = Math.max(100, cfg.recheck().toMillis());
        rechecks = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Threads.named("realtime-recheck"));
        rechecks.scheduleWithFixedDelay(() -> {
            try {
                recheckUsers();
            } catch (RuntimeException e) {
                log.warn("realtime user re-check failed: {}", e.toString());
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        log.info("Socket.IO server listening on {}:{} (namespace {})", cfg.host(), boundPort, NAMESPACE);
    }

    /**
     * Spends the handshake token ({@code auth: {token}}) and re-reads the user, so a disabled
     * account cannot connect with a token issued just before. Marks the socket with who it is.
     */
    private AuthTokenResult authenticate(Object auth, SocketIOClient client) {
        Object token = auth instanceof Map ? ((Map<?, ?>) auth).get("token") : null;
        Optional<Caller> caller = tokens.consume(token instanceof String ? (String) token : null)
                .flatMap(c -> users.active(c.userId()).map(UserRow::caller));
        if (caller.isEmpty()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", "unauthorized");
            error.put("data", Map.of("code", token == null ? "token_required" : "invalid_token"));
            return new AuthTokenResult(false, error);
        }
        client.set(USER_ID, caller.get().userId().toString());
        client.set(ADMIN, caller.get().isAdmin());
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    /** Joins the user's room; a socket that somehow skipped authentication is dropped. */
    private void onConnect(SocketIOClient client) {
        String userId = client.get(USER_ID);
        if (userId == null) {
            client.disconnect();
            return;
        }
        client.joinRoom(userRoom(UUID.fromString(userId)));
    }

    /**
     * Adds the socket to a connection's watch room when the caller may see that connection
     * (admin, or owner); an unknown or foreign id answers the same not-found.
     */
    private Map<String, Object> subscribe(SocketIOClient client, Map<?, ?> data) {
        Object raw = data == null ? null : data.get("connection_id");
        String id = raw instanceof String ? (String) raw : null;
        if (id == null || !id.matches(ConnectionIds.PATTERN)) {
            return Map.of("error", Map.of("code", "invalid_connection_id"));
        }
        String userId = client.get(USER_ID);
        Boolean admin = client.get(ADMIN);
        Optional<ConnectionRow> row = connections.find(id);
        boolean allowed = userId != null && row.isPresent()
                && (Boolean.TRUE.equals(admin) || row.get().ownerId().toString().equals(userId));
        if (!allowed) {
            return Map.of("error", Map.of("code", "connection_not_found"), "connection_id", id);
        }
        client.joinRoom(watchRoom(id));
        return Map.of("subscribed", true, "connection_id", id);
    }

    /**
     * Re-reads the users behind connected sockets (one query per distinct user): a disabled or
     * deleted user's sockets are disconnected, and a role change applies (a demoted admin leaves
     * the connections it watched). Sessions and API keys already act on the next request; this
     * gives sockets the same guarantee within {@code SOCKETIO_RECHECK}.
     */
    void recheckUsers() {
        SocketIONamespace ns = namespace;
        if (ns == null) {
            return;
        }
        Map<String, Optional<UserRow>> seen = new java.util.HashMap<>();
        for (SocketIOClient client : ns.getAllClients()) {
            String userId = client.get(USER_ID);
            if (userId == null) {
                continue;
            }
            Optional<UserRow> user = seen.computeIfAbsent(userId, id -> users.active(UUID.fromString(id)));
            if (user.isEmpty()) {
                client.disconnect();
                continue;
            }
            boolean admin = user.get().caller().isAdmin();
            if (!admin && Boolean.TRUE.equals(client.get(ADMIN))) {
                client.set(ADMIN, false);
                for (String room : client.getAllRooms()) {
                    if (room.startsWith("watch:")) {
                        client.leaveRoom(room);
                    }
                }
            } else if (admin) {
                client.set(ADMIN, true);
            }
        }
    }

    @Override
    public synchronized void stop() {
        SocketIOServer s = server;
        server = null;
        namespace = null;
        if (rechecks != null) {
            rechecks.shutdownNow();
            rechecks = null;
        }
        if (s != null) {
            s.stop();
            log.info("Socket.IO server stopped");
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Starts after the web server and database users, stops before them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }
}
