package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.whatsapp.AccountCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Service;

/**
 * The sandbox's account restrictions: WhatsApp (the emulator) restricts or lifts the account of
 * a connection, so the whole path — notification, Baileys, engine, status, webhook, 463 on new
 * contacts — can be watched without a real ban (sandbox mode only).
 *
 * <p>Guarantees: nothing reaches the engine unless the caller owns the connection, it is
 * {@code ready} and every argument passed validation (400 with the field otherwise). The
 * connection's status changes when the engine reports what Baileys parsed, right after the answer.
 */
@Service
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxRestrictions {

    /** Restriction kinds WhatsApp signals (as the status' {@code restricted.reason} names them). */
    public static final List<String> KINDS = List.of("reachout_timelock", "message_capping");
    /** Enforcement types of a time lock the sandbox can simulate (Baileys' names). */
    public static final List<String> ENFORCEMENT_TYPES = List.of("DEFAULT", "BIZ_QUALITY", "WEB_COMPANION_ONLY", "RESTRICT_ALL_COMPANIONS");
    /** The end of a simulated restriction when none is given. */
    static final Duration DEFAULT_LENGTH = Duration.ofHours(24);
    private static final Duration LONGEST = Duration.ofDays(366);

    /** A restriction the emulator now enforces. */
    public record Restricted(String connectionId, String kind, Instant until) {
    }

    private final ConnectionService connections;
    private final AccountCommands account;

    public SandboxRestrictions(ConnectionService connections, AccountCommands account) {
        this.connections = connections;
        this.account = account;
    }

    /**
     * WhatsApp restricts the account until {@code until} (ISO-8601; default 24 h from now, at
     * most a year ahead); {@code silent}: the device is not told, as when the notification was
     * missed — it learns of it from a 463 on a message to a new contact. 400 {@code invalid_kind}, {@code invalid_until},
     * {@code invalid_enforcement_type}; 409 {@code not_connected} unless {@code ready}.
     */
    public Restricted restrict(String id, String kind, String until, String enforcementType, Boolean silent, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        String k = requireKind(kind);
        Instant end = parseUntil(until);
        if (enforcementType != null && (!ENFORCEMENT_TYPES.contains(enforcementType) || !"reachout_timelock".equals(k))) {
            throw new ApiException.InvalidInput("invalid_enforcement_type", "enforcement_type",
                    "enforcement_type is one of " + ENFORCEMENT_TYPES + ", for a reachout_timelock only");
        }
        requireReady(row);
        SandboxPhone.call(() -> account.sandboxRestrict(id, k, end, enforcementType, Boolean.TRUE.equals(silent)).join());
        return new Restricted(id, k, end);
    }

    /** WhatsApp lifts the restriction of {@code kind}: true when one was in force on the emulator. */
    public boolean lift(String id, String kind, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        String k = requireKind(kind);
        requireReady(row);
        return SandboxPhone.call(() -> account.sandboxLift(id, k).join());
    }

    private static String requireKind(String kind) {
        if (kind == null || !KINDS.contains(kind)) {
            throw new ApiException.InvalidInput("invalid_kind", "kind", "kind must be one of " + KINDS);
        }
        return kind;
    }

    private static Instant parseUntil(String until) {
        Instant now = Instant.now();
        if (until == null) {
            return now.plus(DEFAULT_LENGTH);
        }
        Instant end;
        try {
            end = Instant.parse(until);
        } catch (DateTimeParseException e) {
            throw new ApiException.InvalidInput("invalid_until", "until", "until must be an ISO-8601 UTC time, e.g. 2026-12-01T18:00:00Z");
        }
        if (!end.isAfter(now) || end.isAfter(now.plus(LONGEST))) {
            throw new ApiException.InvalidInput("invalid_until", "until", "until must be in the future, at most a year ahead");
        }
        return end;
    }

    private static void requireReady(ConnectionRow row) {
        if (row.status() != ConnectionStatus.READY) {
            throw new ApiException.Conflict("not_connected", "'" + row.connectionId() + "' is not connected (status "
                    + row.status().wire() + "); WhatsApp signals restrictions to a linked, open device");
        }
    }
}
