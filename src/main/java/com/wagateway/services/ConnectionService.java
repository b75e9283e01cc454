package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.domain.Caller;
import com.wagateway.services.ConnectionStateMachine.Signal;
import com.wagateway.services.ConnectionTransitions.Details;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineException;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * What a person or an API client can do with a connection: create, connect (get a QR),
 * disconnect, log out, delete, look. Each method validates the id first (nothing invalid reaches
 * the database or the file system), checks ownership (a connection of another user answers the
 * same 404 as an unknown one, so existence does not leak; admins reach all), changes the stored
 * state before telling the engine (so a late engine event can never undo the user's choice), and
 * is idempotent.
 */
@Service
public class ConnectionService {

    private static final Logger log = LoggerFactory.getLogger(ConnectionService.class);

    /** States in which connect() has nothing to do: a socket is up or coming up. */
    private static final Set<ConnectionStatus> ALREADY_CONNECTING = EnumSet.of(ConnectionStatus.INITIALIZING,
            ConnectionStatus.QR_READY, ConnectionStatus.AUTHENTICATED, ConnectionStatus.READY);

    /** States get-qr returns at once: something to show, or a state that needs a person. */
    private static final Set<ConnectionStatus> QR_ANSWERS = EnumSet.of(ConnectionStatus.QR_READY, ConnectionStatus.AUTHENTICATED,
            ConnectionStatus.READY, ConnectionStatus.ERROR, ConnectionStatus.LOGGED_OUT, ConnectionStatus.DISCONNECTED);

    private final ConnectionRepository repo;
    private final EngineClient engine;
    private final ConnectionScheduler scheduler;
    private final StatusWaiters waiters;
    private final SessionFolders folders;
    private final ApplicationEventPublisher events;
    private final GatewayProperties props;
    private final ConnectionTransitions transitions;
    private final ConnectionLeases leases;
    private final com.wagateway.database.PgNotifications starts;

    public ConnectionService(ConnectionRepository repo, EngineClient engine, ConnectionScheduler scheduler,
                             StatusWaiters waiters, SessionFolders folders, ApplicationEventPublisher events,
                             GatewayProperties props, ConnectionTransitions transitions, ConnectionLeases leases,
                             com.wagateway.database.PgNotifications starts) {
        this.repo = repo;
        this.starts = starts;
        this.leases = leases;
        this.transitions = transitions;
        this.engine = engine;
        this.scheduler = scheduler;
        this.waiters = waiters;
        this.folders = folders;
        this.events = events;
        this.props = props;
    }

    /** Creates a stopped connection; 409 if the id is taken. */
    public ConnectionRow create(String id, Caller caller) {
        ConnectionIds.require(id);
        if (!repo.insertIfAbsent(id, caller.userId(), folders.of(id).toString())) {
            throw new ApiException.Conflict("connection_exists", "connection '" + id + "' already exists");
        }
        return repo.find(id).orElseThrow();
    }

    /**
     * Makes the connection wanted and starts its socket unless one is already up or coming up.
     * Creates the connection if it does not exist. If the engine is down the connection shows
     * {@code reconnecting} and is started when the engine is back. The socket runs on this node
     * when it can take the lease (issue 17); when another node holds it, or this one is full,
     * that node (or the next with room) starts it.
     */
    public ConnectionRow connect(String id, Caller caller) {
        ConnectionIds.require(id);
        repo.insertIfAbsent(id, caller.userId(), folders.of(id).toString());
        java.util.concurrent.atomic.AtomicReference<ConnectionRow> already = new java.util.concurrent.atomic.AtomicReference<>();
        // wanted and claimed in one transaction: no other node's tick can take it in between
        boolean mine = leases.wantAndClaim(id, () -> {
            synchronized (scheduler.lock(id)) {
                ConnectionRow row = get(id, caller);
                if (row.running() && ALREADY_CONNECTING.contains(row.status())) {
                    already.set(row);
                    return false;
                }
                scheduler.cancel(id);
                transitions.apply(row, Signal.USER_CONNECT, Details.none()).orElseThrow();
                return true;
            }
        });
        if (already.get() != null) {
            return already.get();
        }
        if (!mine) {
            log.info("[{}] connect: node {} cannot take it; its owner (or a node with room) starts it", id, leases.nodeId());
            starts.tryPublish(ConnectionLifecycle.START_CHANNEL, id);
            leases.announce();
            return get(id, caller);
        }
        try {
            engine.start(id).join();
        } catch (CompletionException e) {
            EngineException ee = engineError(e);
            synchronized (scheduler.lock(id)) {
                ConnectionRow now = get(id, caller);
                if (ee.isUnavailable()) {
                    transitions.apply(now, Signal.ENGINE_UNAVAILABLE, Details.none()).orElseThrow();
                } else {
                    log.warn("[{}] engine refused start: {} {}", id, ee.code(), ee.getMessage());
                    transitions.apply(now, Signal.ENGINE_REFUSED, Details.reason("engine_" + ee.code())).orElseThrow();
                }
            }
        }
        return get(id, caller);
    }

    /**
     * The seed's get-qr: connect, then wait (at most QR_WAIT) until there is a QR to show or a
     * state that answers the question (already linked, error, ...). Returns the freshest row.
     */
    public ConnectionRow connectAndAwaitQr(String id, Caller caller) {
        ConnectionIds.require(id);
        CompletableFuture<ConnectionRow> first = waiters.register(id,
                r -> QR_ANSWERS.contains(r.status()) && (r.status() != ConnectionStatus.QR_READY || r.qr() != null),
                props.lifecycle().qrWait());
        ConnectionRow row = connect(id, caller);
        if (!QR_ANSWERS.contains(row.status()) || row.status() == ConnectionStatus.QR_READY && row.qr() == null) {
            waiters.followStored(id); // another node runs it: its QR is seen in the stored row
            try {
                first.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                log.debug("[{}] waiting for QR failed: {}", id, e.getMessage());
            }
        } else {
            first.cancel(false);
        }
        return get(id, caller);
    }

    /**
     * Closes the socket, keeps the session; not restored at boot until connected again. Returns
     * once the socket is closed, also when another node ran it ({@link #awaitOwnerLetGo}).
     */
    public ConnectionRow disconnect(String id, Caller caller) {
        stopByUser(id, caller, Signal.USER_DISCONNECT);
        engine.stop(id).exceptionally(e -> null).join();
        if (!awaitOwnerLetGo(id)) {
            log.warn("[{}] disconnected, but the node running it has not let it go yet", id);
        }
        return get(id, caller);
    }

    /** Unlinks the device and removes the session folder; a QR is needed again. */
    public ConnectionRow logout(String id, Caller caller) {
        get(id, caller);
        if (leases.owns(id)) {
            stopByUser(id, caller, Signal.USER_LOGOUT);
            removeSession(id, engine.logout(id));
            return get(id, caller);
        }
        // Another node may run the socket: the logout goes there first (CommandRouter), while it
        // still holds the open socket it needs to unlink the device (the engine emits no close
        // event for a logout, so nothing can revive it meanwhile); the stop is recorded after.
        CompletableFuture<Void> removal = engine.logout(id);
        try {
            removal.join();
        } catch (CompletionException e) {
            if (engineError(e) instanceof EngineException.OwnerUnreachable o) {
                throw ApiException.unavailable(o); // not taken: nothing was done
            }
        }
        stopByUser(id, caller, Signal.USER_LOGOUT);
        removeSession(id, removal);
        return get(id, caller);
    }

    /**
     * Removes the connection, its session folder and (by cascade) its messages and logs. When
     * another node runs it, the session is removed only once that node closed its socket, so the
     * account is offline everywhere when this returns; if it does not let go in time (503
     * {@code owner_unreachable}), the connection stays, stopped, and the delete can be repeated.
     */
    public void delete(String id, Caller caller) {
        UUID owner = get(id, caller).ownerId();
        stopByUser(id, caller, Signal.USER_DELETE);
        if (!awaitOwnerLetGo(id)) {
            throw new ApiException.OwnerUnreachable(
                    "the node running connection '" + id + "' did not close it in time; it is stopped, try the delete again");
        }
        removeSession(id, engine.purge(id));
        repo.delete(id);
        events.publishEvent(new ConnectionDeleted(id, owner));
    }

    /**
     * The user's stop, recorded before the engine is told: the connection is no longer wanted,
     * its pending reconnect is cancelled, so no late engine event or timer can revive it.
     */
    private void stopByUser(String id, Caller caller, Signal stop) {
        get(id, caller);
        synchronized (scheduler.lock(id)) {
            scheduler.cancel(id);
            transitions.apply(get(id, caller), stop, Details.none()).orElseThrow();
        }
        if (!leases.owns(id)) {
            leases.announce(); // the owner (another node) closes the socket at once, not at its next tick
        }
    }

    /**
     * After a person's stop: waits until no other node holds the connection's lease live. Such an
     * owner hands an unwanted lease back only after closing its socket, and a node that cannot
     * renew closes its sockets at two thirds of the TTL, before its lease expires (issue 17); so
     * once no other node holds it, no socket of it runs anywhere. The stop is not renewed, so the
     * lease is gone within the TTL: false only past the TTL + 1 s, or when the connection is
     * wanted again meanwhile (a connect raced the stop). Polls the lease row (one key lookup
     * every 20 ms), which only a stop through a node that does not own the connection pays for.
     */
    private boolean awaitOwnerLetGo(String id) {
        long deadline = System.nanoTime() + props.cluster().leaseTtl().plusSeconds(1).toNanos();
        while (leases.heldElsewhere(id)) {
            if (System.nanoTime() > deadline || repo.find(id).map(ConnectionRow::running).orElse(false)) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The stored connection if the caller may see it; 404 if unknown or someone else's. */
    public ConnectionRow get(String id, Caller caller) {
        ConnectionIds.require(id);
        return repo.find(id).filter(r -> caller.mayAccess(r.ownerId()))
                .orElseThrow(() -> new ApiException.ConnectionNotFound(id));
    }

    /** All connections for an admin, one's own for a user. */
    public List<ConnectionRow> list(Caller caller) {
        return caller.isAdmin() ? repo.findAll() : repo.findByOwner(caller.userId());
    }

    /**
     * Waits for the engine to remove the folder; when the engine is down, removes it here (nobody
     * else is writing to it then), so logout and delete never leave a session behind.
     */
    private void removeSession(String id, CompletableFuture<?> engineRemoval) {
        try {
            engineRemoval.join();
        } catch (CompletionException e) {
            EngineException ee = engineError(e);
            if (!ee.isUnavailable()) {
                log.warn("[{}] engine could not remove the session: {}", id, ee.getMessage());
            }
            try {
                folders.remove(id);
            } catch (IOException io) {
                throw new IllegalStateException("cannot remove session folder of " + id, io);
            }
        }
    }

    private static EngineException engineError(CompletionException e) {
        return EngineException.of(e.getCause());
    }
}
