package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.LeaseFence;
import com.wagateway.database.LeaseRepository;
import com.wagateway.database.LeaseRepository.Held;
import com.wagateway.shared.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Which connections this node runs (issue 17): one lease per wanted connection in PostgreSQL,
 * with a fencing epoch that grows on every takeover.
 *
 * <p>Every {@code LEASE_TTL}/3 one tick writes the heartbeat, renews every held lease in one
 * statement (a lease missing from the answer is lost: its socket is closed), hands back leases of
 * connections nobody wants running, claims unowned or expired ones up to
 * {@code NODE_MAX_CONNECTIONS} and, at most {@code REBALANCE_MOVES_PER_MINUTE} times a minute,
 * hands one back when this node is the most loaded and holds two more than the least loaded.
 *
 * <p>Guarantees: a node that has not renewed for two thirds of the TTL (paused JVM, database
 * unreachable) closes its sockets itself, on a thread of its own, before the lease can expire
 * and be taken by another node (when it {@link #fencing() fences}: {@code NODE_ID} set, or another
 * live node seen); a lease is handed back (rebalance, clean shutdown) only after its
 * socket was closed, so two nodes never run one connection at once. With one node, it owns every
 * wanted connection and nothing else changes.
 */
@Component
public class ConnectionLeases implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLeases.class);
    /** Notification channel: "run a tick now"; the payload is the sending node's id. */
    static final String CHANNEL = "gateway_leases";

    private final LeaseRepository repo;
    private final GatewayProperties.Cluster settings;
    private final String nodeId;
    private final ObjectProvider<LeaseListener> listeners;
    /** Looked up, not injected: a direct dependency would make Spring start the engine before this (restore order). */
    private final ObjectProvider<com.wagateway.whatsapp.EngineClient> engine;
    private final com.wagateway.database.PgNotifications notifications;
    private final SharedSessions sessions;
    private final org.springframework.transaction.support.TransactionTemplate tx;
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    /** Handed back by rebalance: not claimed again by this node for two TTLs (nanoTime of the hand-back). */
    private final Map<String, Long> givenAway = new ConcurrentHashMap<>();
    private final String version;

    private ScheduledExecutorService ticks;
    private ScheduledExecutorService guard;
    private volatile boolean running;
    private volatile long renewedAtNanos;
    private volatile boolean renewing = true;
    private volatile int liveNodes = 1;
    /** NODE_ID was set: this node is meant to run beside others, so it fences itself even when it sees none. */
    private final boolean clusterIntent;
    private long lastMoveNanos;

    public ConnectionLeases(LeaseRepository repo, GatewayProperties props, NodeIdentity node,
                            ObjectProvider<LeaseListener> listeners, ObjectProvider<com.wagateway.whatsapp.EngineClient> engine,
                            com.wagateway.database.PgNotifications notifications, SharedSessions sessions,
                            org.springframework.transaction.support.TransactionTemplate tx) {
        this.repo = repo;
        this.tx = tx;
        this.sessions = sessions;
        this.notifications = notifications;
        this.engine = engine;
        this.settings = props.cluster();
        this.nodeId = node.id();
        this.clusterIntent = props.cluster().nodeId() != null && !props.cluster().nodeId().isBlank();
        this.listeners = listeners;
        String v = ConnectionLeases.class.getPackage().getImplementationVersion();
        this.version = v == null ? "dev" : v;
    }

    /**
     * First heartbeat and claim, before the engine starts (lower phase), so the engine's first
     * start restores exactly the connections this node owns; the listeners are not called for
     * these (the engine start does it).
     */
    @Override
    public void start() {
        // AUTH_STORE=files beside other nodes needs their SESSIONS_DIR: refuse before any heartbeat or claim
        sessions.joinOrRefuse();
        running = true;
        lastMoveNanos = System.nanoTime();
        ticks = Executors.newSingleThreadScheduledExecutor(Threads.named("lease-ticks"));
        guard = Executors.newSingleThreadScheduledExecutor(Threads.named("lease-guard"));
        try {
            tick(false);
        } catch (RuntimeException e) {
            log.warn("node {}: first lease claim failed: {}", nodeId, e.toString());
        }
        // another node handed leases back or wants a connection started: claim now, not at the next tick
        notifications.subscribe(CHANNEL, from -> {
            if (!nodeId.equals(from)) {
                wake();
            }
        });
        long every = Math.max(50, ttl().toMillis() / 3);
        // at a fixed rate: a slow round does not push every later renewal back
        ticks.scheduleAtFixedRate(this::safeTick, every, every, TimeUnit.MILLISECONDS);
        long check = Math.max(20, ttl().toMillis() / 30);
        guard.scheduleWithFixedDelay(this::checkOverdue, check, check, TimeUnit.MILLISECONDS);
        log.info("node {} started: {} connection(s) owned, capacity {}, lease TTL {}", nodeId, held.size(),
                settings.maxConnections(), ttl());
    }

    /**
     * Clean shutdown, after the engine stopped (higher phase stops first): every socket is closed
     * by then, so the leases are handed back and other nodes take them at once.
     */
    @Override
    public void stop() {
        running = false;
        if (ticks != null) {
            ticks.shutdownNow();
            guard.shutdownNow();
        }
        try {
            repo.stopNode(nodeId);
            notifications.tryPublish(CHANNEL, nodeId);
            log.info("node {} stopped: {} lease(s) handed back", nodeId, held.size());
            sessions.removeMarker();
        } catch (RuntimeException e) {
            log.warn("node {}: could not hand back its leases (they expire): {}", nodeId, e.toString());
        }
        held.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the engine supervisor (which starts at MAX - 1000) and stopped after it. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether this node holds the connection's lease (its own view, renewed every TTL/3). */
    public boolean owns(String connectionId) {
        return held.containsKey(connectionId);
    }

    /** The fence a status write about this connection carries; empty when this node does not own it. */
    public Optional<LeaseFence> fence(String connectionId) {
        Long epoch = held.get(connectionId);
        return epoch == null ? Optional.empty() : Optional.of(new LeaseFence(nodeId, epoch));
    }

    /**
     * Whether another node holds this connection's lease live now (read from the lease row, not
     * from this node's view): while it does, its socket may still run there.
     */
    public boolean heldElsewhere(String connectionId) {
        return repo.liveOwner(connectionId).filter(o -> !o.nodeId().equals(nodeId)).isPresent();
    }

    /** The connections this node owns now. */
    public Set<String> owned() {
        return Set.copyOf(held.keySet());
    }

    /** Live nodes at the last tick (this one included); 1 in a single-node deployment. */
    public int liveNodes() {
        return liveNodes;
    }

    /**
     * A person asked to connect on this node: take the lease here if it is free (or already
     * ours) and there is room; false when another node holds it live or this node is full (that
     * node, or the next one with room, starts it at its next tick).
     */
    public synchronized boolean claimForStart(String connectionId) {
        if (held.containsKey(connectionId)) {
            return true;
        }
        if (held.size() >= settings.maxConnections()) {
            return false;
        }
        Optional<Held> h = repo.claimOne(nodeId, connectionId, ttl());
        h.ifPresent(x -> held.put(x.connectionId(), x.epoch()));
        return h.isPresent();
    }

    /**
     * A person's connect: runs {@code want} (which marks the connection wanted and answers whether
     * to go on) and {@link #claimForStart} in one transaction, under this node's lease lock. Another
     * node's tick then sees the connection either not wanted or held here, never free in between,
     * and this node's own tick never sees a claim that is not committed yet. False when {@code want}
     * said stop, or the lease is held elsewhere / this node is full.
     */
    public synchronized boolean wantAndClaim(String connectionId, java.util.function.BooleanSupplier want) {
        boolean had = held.containsKey(connectionId);
        try {
            return Boolean.TRUE.equals(tx.execute(s -> want.getAsBoolean() && claimForStart(connectionId)));
        } catch (RuntimeException e) {
            if (!had) {
                held.remove(connectionId); // rolled back: the claim did not happen
            }
            throw e;
        }
    }

    /**
     * Tells every other node to run a tick now (this one handed leases back, or a connection is
     * wanted that this node could not take). Best effort: their ticks run every TTL/3 anyway.
     */
    public void announce() {
        notifications.tryPublish(CHANNEL, nodeId);
    }

    /** Runs a tick soon (a peer changed something: a lease was handed back, a connection is wanted). */
    public void wake() {
        ScheduledExecutorService t = ticks;
        if (running && t != null) {
            try {
                t.execute(this::safeTick);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("lease ticks stopped");
            }
        }
    }

    private void safeTick() {
        try {
            tick(true);
        } catch (RuntimeException e) {
            log.warn("node {}: lease renewal failed ({} held): {}", nodeId, held.size(), e.toString());
        }
    }

    /** One round: renew (and hold the engine's sockets), heartbeat, hand back unwanted, claim free ones, maybe rebalance. */
    private synchronized void tick(boolean tell) {
        if (!running || !renewing) {
            return; // (renewals off: a test plays a frozen node, which writes and claims nothing)
        }
        // the renewal first (the engine's hold depends on it), the rest of the round after
        long sentAt = System.nanoTime(); // the lease's new expiry is at least this + TTL in real time
        Set<String> kept = new HashSet<>();
        List<String> gained = new ArrayList<>();
        for (Held h : repo.renew(nodeId, ttl())) {
            kept.add(h.connectionId());
            // still ours in the database but closed here (renewals were overdue, then came back
            // before the lease expired): nobody else can have opened it, so it is started again
            if (held.putIfAbsent(h.connectionId(), h.epoch()) == null) {
                gained.add(h.connectionId());
            }
        }
        renewedAtNanos = sentAt;
        holdSockets(sentAt);
        for (String id : List.copyOf(held.keySet())) {
            if (!kept.contains(id)) {
                log.info("[{}] lease lost by node {} (taken over, expired or no longer wanted)", id, nodeId);
                lose(id);
            }
        }
        repo.heartbeat(nodeId, settings.maxConnections(), version, sessions.authStore(), sessions.token());
        repo.releaseUnwanted(nodeId); // after the renewal closed their sockets
        repo.createMissing();
        long now = System.nanoTime();
        givenAway.values().removeIf(at -> now - at > ttl().multipliedBy(2).toNanos());
        List<Held> claimed = repo.claim(nodeId, settings.maxConnections() - held.size(), ttl(), givenAway.keySet());
        for (Held h : claimed) {
            held.put(h.connectionId(), h.epoch());
            gained.add(h.connectionId());
        }
        if (!gained.isEmpty()) {
            log.info("node {} took {} connection(s): {}", nodeId, gained.size(), gained.size() <= 10 ? gained : "");
            if (tell) {
                listeners.orderedStream().forEach(l -> l.onLeasesGained(gained));
            }
        }
        rebalance();
    }

    /**
     * Hands back one connection when this node is the most loaded live node and holds at least two
     * more than the least loaded one (with room), at most the configured moves per minute.
     */
    private void rebalance() {
        List<LeaseRepository.NodeRow> nodes = repo.nodes().stream()
                .filter(n -> n.stoppedAt() == null && n.heartbeatAgeSeconds() < ttl().toMillis() / 1000.0).toList();
        liveNodes = Math.max(1, nodes.size());
        int perMinute = settings.rebalancePerMinute();
        if (nodes.size() < 2 || perMinute <= 0 || held.isEmpty()) {
            return;
        }
        if (System.nanoTime() - lastMoveNanos < TimeUnit.MINUTES.toNanos(1) / perMinute) {
            return;
        }
        long mine = held.size();
        long most = nodes.stream().mapToLong(LeaseRepository.NodeRow::connections).max().orElse(0);
        long least = nodes.stream().filter(n -> n.connections() < n.capacity())
                .mapToLong(LeaseRepository.NodeRow::connections).min().orElse(mine);
        if (mine < most || mine - least < 2) {
            return;
        }
        String id = held.keySet().stream().sorted().findFirst().orElseThrow();
        log.info("[{}] rebalance: node {} ({} connections) hands it back; the least loaded node has {}", id, nodeId, mine, least);
        lose(id);
        givenAway.put(id, System.nanoTime());
        repo.release(nodeId, List.of(id));
        notifications.tryPublish(CHANNEL, nodeId);
        lastMoveNanos = System.nanoTime();
    }

    /**
     * Tells the engine its sockets stay ours until two thirds of the TTL after {@code sentAt} (the
     * same deadline as {@link #checkOverdue}): a JVM paused past it cannot close them, the engine does.
     */
    private void holdSockets(long sentAt) {
        if (held.isEmpty()) {
            return;
        }
        // not fencing (a lone node): a long hold, so only an engine whose Java is gone for ten minutes closes
        long left = !fencing() ? 600_000 : (ttl().toNanos() * 2 / 3 - (System.nanoTime() - sentAt)) / 1_000_000;
        if (left > 0) {
            engine.getObject().holdSockets(left).exceptionally(e -> {
                log.debug("lease hold not sent to the engine: {}", e.toString());
                return null;
            });
        }
    }

    /**
     * Whether this node closes its sockets when renewals are overdue: when {@code NODE_ID} is set
     * (several nodes are intended), or when its last tick saw another live node. A lone node with
     * the default id keeps its sockets through a database outage, as before issue 17: nobody can
     * take its connections over then.
     */
    boolean fencing() {
        return clusterIntent || liveNodes > 1;
    }

    /**
     * Runs on its own thread: when the last successful renewal is older than two thirds of the
     * TTL, every socket is closed now, while the lease still holds (nobody else can have it).
     */
    private void checkOverdue() {
        if (held.isEmpty() || !running || !fencing()) {
            return;
        }
        long overdueAfter = ttl().toNanos() * 2 / 3;
        if (System.nanoTime() - renewedAtNanos > overdueAfter) {
            log.warn("node {}: leases not renewed for {} ms (more than 2/3 of the TTL): closing {} socket(s) before they expire",
                    nodeId, (System.nanoTime() - renewedAtNanos) / 1_000_000, held.size());
            for (String id : List.copyOf(held.keySet())) {
                lose(id);
            }
        }
    }

    /** Forgets the lease and has its socket closed (listeners return once it is closed, bounded). */
    private void lose(String connectionId) {
        if (held.remove(connectionId) != null) {
            listeners.orderedStream().forEach(l -> {
                try {
                    l.onLeaseLost(connectionId);
                } catch (RuntimeException e) {
                    log.warn("[{}] closing the socket of a lost lease failed: {}", connectionId, e.toString());
                }
            });
        }
    }

    /**
     * Tests only: stop (false) or resume (true) renewals, as a frozen node would. The overdue
     * guard keeps running, so the node closes its sockets before its leases expire.
     */
    public void renewals(boolean on) {
        renewing = on;
    }

    private Duration ttl() {
        return settings.leaseTtl();
    }
}
