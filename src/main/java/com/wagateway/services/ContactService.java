package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import com.wagateway.database.ContactRepository;
import com.wagateway.database.LidRepository;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.whatsapp.AccountCommands;
import com.wagateway.whatsapp.AccountCommands.ContactCheck;
import com.wagateway.whatsapp.EngineException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * A connection's contacts: whether numbers are on WhatsApp (batched, briefly cached), the names
 * it knows, profile pictures.
 *
 * <p>Guarantees: every method checks ownership first (someone else's connection is the unknown
 * connection's 404) and validates every argument before asking WhatsApp anything; a check asks
 * WhatsApp once for all the numbers it does not have cached (one engine command, one usync
 * query); answers carry the phone and, where known, the LID — never a LID as the phone.
 */
@Service
public class ContactService {

    /** At most this many numbers per check (one usync query). */
    public static final int MAX_CHECK = 50;
    /**
     * How long a check's answer is reused: numbers join or leave WhatsApp rarely, and a sender
     * checking before each send must not cost a WhatsApp query per message (docs/decisions.md).
     */
    static final Duration CHECK_TTL = Duration.ofMinutes(5);
    private static final int CACHE_LIMIT = 100_000;
    private static final Pattern LID_JID = Pattern.compile("^[0-9]{1,20}@lid$");

    private final ConnectionService connections;
    private final AccountCommands engine;
    private final ContactRepository contacts;
    private final LidRepository lids;
    private final Clock clock;
    /** (connection id, phone) → the answer and when it was asked. */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(ContactCheck answer, Instant at) {
    }

    public ContactService(ConnectionService connections, AccountCommands engine, ContactRepository contacts, LidRepository lids) {
        this.connections = connections;
        this.engine = engine;
        this.contacts = contacts;
        this.lids = lids;
        this.clock = Clock.systemUTC();
    }

    /**
     * Which of these numbers are on WhatsApp, one answer per distinct number in the order given.
     * Cached answers (younger than {@link #CHECK_TTL}) are reused; the rest go to WhatsApp in one
     * query. LIDs learned here are remembered in the LID map.
     */
    public List<ContactCheck> check(String connectionId, List<String> rawPhones, Caller caller) {
        ConnectionRow row = connections.get(connectionId, caller);
        if (rawPhones == null || rawPhones.isEmpty()) {
            throw new ApiException.InvalidInput("phone_required", "phone", "give at least one phone (?phone=...&phone=...)");
        }
        if (rawPhones.size() > MAX_CHECK) {
            throw new ApiException.InvalidInput("too_many_phones", "phone", "at most " + MAX_CHECK + " phones per check, got " + rawPhones.size());
        }
        LinkedHashSet<String> phones = new LinkedHashSet<>();
        for (String raw : rawPhones) {
            phones.add(PhoneNumbers.require(raw, "phone"));
        }
        requireReady(row);
        Instant now = clock.instant();
        Map<String, ContactCheck> answers = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String p : phones) {
            Cached c = cache.get(key(connectionId, p));
            if (c != null && c.at().plus(CHECK_TTL).isAfter(now)) {
                answers.put(p, c.answer());
            } else {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            List<ContactCheck> fresh = call(() -> engine.checkContacts(connectionId, missing).join());
            Map<String, String> learned = new LinkedHashMap<>();
            if (cache.size() > CACHE_LIMIT) {
                cache.clear();
            }
            for (ContactCheck c : fresh) {
                answers.put(c.phone(), c);
                cache.put(key(connectionId, c.phone()), new Cached(c, now));
                if (c.lid() != null && c.jid() != null) {
                    learned.put(c.lid(), c.jid());
                }
            }
            lids.upsert(connectionId, learned);
        }
        List<ContactCheck> out = new ArrayList<>();
        for (String p : phones) {
            out.add(answers.getOrDefault(p, new ContactCheck(p, false, null, null)));
        }
        return out;
    }

    /** The names this connection knows (address book, history, push names), with phone and LID. */
    public List<ContactRepository.ContactRow> list(String connectionId, Caller caller) {
        connections.get(connectionId, caller);
        return contacts.list(connectionId);
    }

    /** A profile picture and whose it is. {@code url} is null when there is none or it is hidden from us. */
    public record Picture(String phone, String lid, String url) {
    }

    /**
     * The full-size profile picture URL of a contact named by phone number or LID JID. WhatsApp's
     * URLs are signed and expire after a while (hours), so it is not cached.
     */
    public Picture picture(String connectionId, String who, Caller caller) {
        ConnectionRow row = connections.get(connectionId, caller);
        boolean isLid = who != null && LID_JID.matcher(who).matches();
        String phone = isLid ? null : PhoneNumbers.digitsOrNull(who);
        if (!isLid && phone == null) {
            throw new ApiException.InvalidInput("invalid_phone", "phone",
                    "phone must be a phone number in international format (7-15 digits) or a LID (digits@lid)");
        }
        requireReady(row);
        String jid = isLid ? who : phone + "@s.whatsapp.net";
        String url = call(() -> engine.profilePicture(connectionId, jid).join());
        if (isLid) {
            String pn = lids.pnFor(connectionId, who);
            return new Picture(pn == null ? null : pn.split("@")[0], who, url);
        }
        return new Picture(phone, lids.lidFor(connectionId, jid), url);
    }

    /** A deleted connection's cached answers go with it (a new connection of that id starts empty). */
    @EventListener
    void onDeleted(ConnectionDeleted e) {
        String prefix = e.connectionId() + "|";
        cache.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private static void requireReady(ConnectionRow row) {
        if (row.status() != ConnectionStatus.READY) {
            throw new ApiException.Conflict("not_connected", "'" + row.connectionId() + "' is not connected to WhatsApp (status must be ready)");
        }
    }

    private static String key(String connectionId, String phone) {
        return connectionId + "|" + phone;
    }

    /** Runs an engine call; its refusals become API errors. */
    static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (CompletionException e) {
            EngineException ee = EngineException.of(e.getCause());
            if (ee.isUnavailable()) {
                throw ApiException.unavailable(ee);
            }
            if (ee instanceof EngineException.NotReady || ee instanceof EngineException.NotFound) {
                throw new ApiException.Conflict("not_connected", "the connection is not connected to WhatsApp");
            }
            throw new ApiException.WhatsappFailed("whatsapp_error", ee.getMessage());
        }
    }
}
