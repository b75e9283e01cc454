package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import com.wagateway.database.PairingCodeRepository;
import com.wagateway.database.PairingCodeRepository.PairingCodeRow;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.whatsapp.AccountCommands;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.whatsapp.EngineListener;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Linking with a pairing code instead of a QR ("Link with phone number instead"): the person
 * types the code on the phone under Linked devices. The connection goes through the same states
 * (and webhooks) as a QR link: initializing, qr_ready (the code works while the registration's
 * QR refs last), authenticated, ready.
 *
 * <p>Guarantees: the caller's ownership and the phone number are checked before anything
 * changes; a linked connection is refused (409) without touching its socket; the code is stored
 * (one per connection, the newest) until the connection links or the code expires; the code is
 * never logged.
 */
@Service
public class PairingService implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(PairingService.class);

    /** States in which the connection already has a linked device. */
    static final Set<ConnectionStatus> LINKED = EnumSet.of(ConnectionStatus.AUTHENTICATED, ConnectionStatus.READY);

    private final ConnectionService connections;
    private final AccountCommands engine;
    private final PairingCodeRepository codes;
    private final StatusWaiters waiters;
    private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> requests = new java.util.concurrent.ConcurrentHashMap<>();

    public PairingService(ConnectionService connections, AccountCommands engine, PairingCodeRepository codes, StatusWaiters waiters) {
        this.connections = connections;
        this.engine = engine;
        this.codes = codes;
        this.waiters = waiters;
    }

    /**
     * Starts the connection if needed, waits for its registration to begin (the first QR) and
     * asks WhatsApp for a code for {@code rawPhone}. 400 {@code invalid_phone}, 409
     * {@code already_linked}, 409 {@code pairing_unavailable} when the socket could not register.
     */
    public PairingCodeRow requestCode(String connectionId, String rawPhone, Caller caller) {
        ConnectionRow row = connections.get(connectionId, caller);
        String phone = PhoneNumbers.require(rawPhone, "phone");
        requireNotLinked(row);
        // One request per connection at a time: each new code replaces the previous one on the
        // socket, so the stored code must be the one asked for last (two overlapping requests
        // could otherwise store the older, already invalid code)
        java.util.concurrent.locks.ReentrantLock lock = requests.computeIfAbsent(connectionId,
                k -> new java.util.concurrent.locks.ReentrantLock());
        lock.lock();
        try {
            return issue(connectionId, phone, caller);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The code the connection is waiting for, while it is valid: what a page reloaded during
     * linking shows again. 404 {@code no_pairing_code} when none was asked, it expired, or the
     * connection linked (the code is deleted then).
     */
    public PairingCodeRow currentCode(String connectionId, Caller caller) {
        connections.get(connectionId, caller);
        return codes.find(connectionId).filter(c -> c.expiresAt().isAfter(java.time.Instant.now()))
                .orElseThrow(() -> new ApiException.NotFound("no_pairing_code",
                        "'" + connectionId + "' has no valid pairing code; ask for one with POST /api/connections/" + connectionId + "/pairing-code"));
    }

    /** Starts the connection if needed and asks the engine for a code (the caller holds the connection's lock). */
    private PairingCodeRow issue(String connectionId, String phone, Caller caller) {
        requireNotLinked(connections.get(connectionId, caller));
        // The engine answers right after the socket's first QR event, which Java applies on its
        // own thread: the answer waits (briefly) until the status shows it too, so a caller that
        // reads the status next sees qr_ready.
        java.util.concurrent.CompletableFuture<ConnectionRow> showing = waiters.register(connectionId,
                r -> r.status() == ConnectionStatus.QR_READY, java.time.Duration.ofSeconds(5));
        connections.connect(connectionId, caller);
        AccountCommands.PairingCode code;
        try {
            code = engine.requestPairingCode(connectionId, phone).join();
        } catch (CompletionException e) {
            EngineException ee = EngineException.of(e.getCause());
            if (ee.isUnavailable()) {
                throw ApiException.unavailable(ee);
            }
            requireNotLinked(connections.get(connectionId, caller));
            log.info("[{}] pairing code not available: {} {}", connectionId, ee.code(), ee.getMessage());
            throw new ApiException.Conflict("pairing_unavailable",
                    "'" + connectionId + "' could not start linking (" + ee.getMessage() + "); see its status and try again");
        }
        PairingCodeRow saved = new PairingCodeRow(connectionId, phone, code.code(), code.expiresAt());
        codes.save(saved);
        if (connections.get(connectionId, caller).status() != ConnectionStatus.QR_READY) {
            waiters.followStored(connectionId); // another node runs it: the status is seen in the stored row
            showing.join(); // null after the timeout: the answer stands either way
        } else {
            showing.cancel(false);
        }
        log.info("[{}] pairing code issued, valid until {}", connectionId, code.expiresAt());
        return saved;
    }

    /** 409 {@code already_linked} when the connection has a linked device (it connects without a code). */
    static void requireNotLinked(ConnectionRow row) {
        if (row.hasSession() || LINKED.contains(row.status())) {
            throw new ApiException.Conflict("already_linked",
                    "'" + row.connectionId() + "' is already linked to a phone; log out first to link another");
        }
    }

    /** A linked connection needs its code no more. */
    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.Authenticated a && a.newLogin()) {
            codes.delete(a.connectionId());
        }
    }
}
