package com.wagateway.messaging;

import com.wagateway.database.ConnectionRow;
import com.wagateway.database.RestrictionRepository;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionStatusChanged;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Account restrictions WhatsApp signals (issue 16 part 6): the reach-out time lock, message
 * capping, and error 463 on a message to a new contact.
 *
 * <p>Guarantees:
 * <ul>
 * <li>each change of a kind's state is stored together with its {@code connection.restricted}
 *     webhook (one transaction); a repeat of the stored state (the engine re-reports it at every
 *     connect) changes nothing and sends nothing;</li>
 * <li>the connection's status ({@code restricted}) shows the restriction that ends last; the
 *     change is published after the commit ({@link ConnectionStatusChanged}: realtime
 *     {@code connection.status});</li>
 * <li>while a restriction is in force, a message to a person this connection never exchanged a
 *     message with is refused before it is stored (409 {@code restricted_new_contact}) or, if it
 *     was queued before, failed without an attempt — WhatsApp would answer 463, and each retry
 *     counts as another reach-out; known contacts and groups still go.</li>
 * </ul>
 */
@Component
public class AccountRestrictions implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(AccountRestrictions.class);
    /** The error code (and stored error prefix) of a message refused because the account may not reach new contacts. */
    public static final String NEW_CONTACT_REFUSED = "restricted_new_contact";
    /** WhatsApp's error ack for a message to a new contact from a restricted account. */
    static final int ACCOUNT_RESTRICTED_ACK = 463;
    private static final Set<String> KINDS = Set.of("reachout_timelock", "message_capping");

    private final RestrictionRepository restrictions;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;

    public AccountRestrictions(RestrictionRepository restrictions, WebhookOutbox outbox, TransactionTemplate tx, Publisher events) {
        this.restrictions = restrictions;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.RestrictionChanged r) {
            apply(r);
        }
    }

    /**
     * Stores one kind's new state; on a change, the connection's summary and the webhook in the
     * same transaction, then the realtime status after the commit. Unknown kinds are logged and skipped.
     */
    void apply(EngineEvent.RestrictionChanged r) {
        if (!KINDS.contains(r.kind())) {
            log.info("[{}] unknown restriction kind '{}' skipped", r.connectionId(), r.kind());
            return;
        }
        Optional<ConnectionRow> changed = tx.execute(s -> {
            Optional<RestrictionRepository.Row> row = r.active()
                    ? restrictions.set(r.connectionId(), r.kind(), r.until(), r.detail())
                    : restrictions.lift(r.connectionId(), r.kind());
            if (row.isEmpty()) {
                return Optional.<ConnectionRow>empty();
            }
            Optional<ConnectionRow> conn = restrictions.summarize(r.connectionId());
            conn.ifPresent(c -> outbox.enqueue(List.of(webhook(c, row.get(), r.active()))));
            return conn;
        });
        if (changed != null && changed.isPresent()) {
            log.info("[{}] WhatsApp {} the account: {} until {}", r.connectionId(), r.active() ? "restricted" : "lifted a restriction of",
                    r.kind(), r.until());
            events.publish(new ConnectionStatusChanged(changed.get()));
        }
    }

    /**
     * The {@code connection.restricted} body: {@code restricted} true (set or changed) or false
     * (lifted), the kind as {@code reason}, its {@code until}, {@code since}, {@code detail}, and
     * the connection's {@code restriction} as its status now shows it (another kind may still be in force).
     */
    static WebhookEvent webhook(ConnectionRow conn, RestrictionRepository.Row row, boolean restricted) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.CONNECTION_RESTRICTED);
        p.put("connection_id", conn.connectionId());
        p.put("restricted", restricted);
        p.put("reason", row.kind());
        p.put("until", restricted && row.until() != null ? row.until().toString() : null);
        p.put("since", row.since() == null ? null : row.since().toString());
        p.put("detail", restricted ? row.detail() : null);
        p.put("phone", conn.phone());
        ConnectionRow.Restriction now = conn.activeRestriction();
        Map<String, Object> shown = null;
        if (now != null) {
            shown = new LinkedHashMap<>();
            shown.put("reason", now.reason());
            shown.put("until", now.until() == null ? null : now.until().toString());
        }
        p.put("restriction", shown);
        p.put("timestamp", Instant.now().toString());
        return new WebhookEvent(conn.connectionId(), WebhookEventTypes.CONNECTION_RESTRICTED, p);
    }

    /**
     * Refuses (409 {@code restricted_new_contact}) a message to a person the connection never
     * exchanged a message with while the account is restricted. Groups and known contacts pass.
     */
    void requireMayReach(ConnectionRow conn, Recipient to) {
        String why = refusal(conn, to.jid());
        if (why != null) {
            throw new ApiException.Conflict(NEW_CONTACT_REFUSED, why);
        }
    }

    /** Why a message to {@code jid} may not go now, or null when it may. */
    String refusal(ConnectionRow conn, String jid) {
        ConnectionRow.Restriction r = conn.activeRestriction();
        if (r == null || jid == null || !(jid.endsWith("@s.whatsapp.net") || jid.endsWith("@lid"))
                || restrictions.knownContact(conn.connectionId(), jid)) {
            return null;
        }
        return "WhatsApp restricted this account (" + r.reason() + (r.until() == null ? "" : " until " + r.until())
                + "): it cannot start a chat with " + jid + " now; contacts it already chatted with can still be reached";
    }

    /** The stored error of a message WhatsApp refused with 463 (a new contact while restricted). */
    static String refusedByWhatsapp() {
        return NEW_CONTACT_REFUSED + ": WhatsApp refused a message to a new contact (error 463): the account is restricted";
    }
}
