package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRow;
import com.wagateway.domain.Caller;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionIds;
import com.wagateway.services.ConnectionService;
import com.wagateway.shared.Json;
import com.wagateway.whatsapp.EngineCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * {@code send-location}, {@code send-contact}, {@code send-reaction} and {@code send-poll}: each
 * validates its fields, builds the engine content and the row's structured {@code details}, and
 * goes through {@link SendService#submit} — so every rule of {@code send-message} holds (stored
 * first, idempotent on {@code client_message_id} with 409 for a different request, queued across
 * reconnects, paced, statuses, webhooks).
 */
@Service
public class RichSendService {

    static final int MAX_NAME = 1024;
    static final int MAX_CONTACTS = 50;
    static final int MAX_PHONES = 10;
    static final int MAX_POLL_NAME = 255;
    static final int MAX_OPTION = 100;
    static final int MAX_EMOJI_CHARS = 16;

    private final SendService sends;
    private final MessageRepository messages;
    private final ConnectionService connections;

    public RichSendService(SendService sends, MessageRepository messages, ConnectionService connections) {
        this.sends = sends;
        this.messages = messages;
        this.connections = connections;
    }

    /** A location pin: latitude -90..90, longitude -180..180, optional name and address. */
    public SendService.Result sendLocation(Caller caller, String connectionId, String to, Double latitude, Double longitude,
                                           String name, String address, String clientMessageId) {
        ConnectionIds.require(connectionId);
        Recipient recipient = Recipients.parse(to);
        if (latitude == null || latitude.isNaN() || latitude < -90 || latitude > 90) {
            throw invalid("invalid_latitude", "latitude", "latitude must be a number from -90 to 90");
        }
        if (longitude == null || longitude.isNaN() || longitude < -180 || longitude > 180) {
            throw invalid("invalid_longitude", "longitude", "longitude must be a number from -180 to 180");
        }
        optionalText(name, "name", MAX_NAME);
        optionalText(address, "address", MAX_NAME);
        SendService.validateIds(clientMessageId, null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("latitude", latitude);
        details.put("longitude", longitude);
        details.put("name", blankToNull(name));
        details.put("address", blankToNull(address));
        String body = String.format(Locale.ROOT, "[location %.2f,%.2f]", latitude, longitude);
        String fp = "location\0" + latitude + "\0" + longitude + "\0" + name + "\0" + address;
        OutgoingContent out = new OutgoingContent("location", body, null, null, null, null, null, json(details),
                EngineCommands.locationContent(latitude, longitude, blankToNull(name), blankToNull(address)), fp);
        return sends.submit(caller, connectionId, recipient, out, clientMessageId, null, () -> out);
    }

    /** One contact card: a name and its phone numbers (international format). */
    public record ContactCard(String name, List<String> phones) {
    }

    /**
     * Contact cards (vCard 3.0, each phone with its WhatsApp id {@code waid}, so the recipient
     * can message or add it at once): 1-50 contacts of 1-10 phones each.
     */
    public SendService.Result sendContacts(Caller caller, String connectionId, String to, List<ContactCard> contacts,
                                           String clientMessageId) {
        ConnectionIds.require(connectionId);
        Recipient recipient = Recipients.parse(to);
        if (contacts == null || contacts.isEmpty() || contacts.size() > MAX_CONTACTS) {
            throw invalid("invalid_contacts", "contacts", "contacts must list 1 to " + MAX_CONTACTS + " contacts");
        }
        List<String> vcards = new ArrayList<>();
        List<Map<String, Object>> detail = new ArrayList<>();
        for (int i = 0; i < contacts.size(); i++) {
            ContactCard c = contacts.get(i);
            String field = "contacts[" + i + "]";
            if (c == null || c.name() == null || c.name().isBlank() || c.name().length() > MAX_NAME) {
                throw invalid("invalid_contacts", field + ".name", "each contact needs a name of 1-" + MAX_NAME + " characters");
            }
            if (c.phones() == null || c.phones().isEmpty() || c.phones().size() > MAX_PHONES) {
                throw invalid("invalid_contacts", field + ".phones", "each contact needs 1-" + MAX_PHONES + " phone numbers");
            }
            List<String> digits = new ArrayList<>();
            for (String p : c.phones()) {
                Recipient r;
                try {
                    r = Recipients.parse(p);
                } catch (ApiException.InvalidInput e) {
                    throw invalid("invalid_contacts", field + ".phones", "'" + p + "' is not a phone number in international format");
                }
                if (r.phone() == null) {
                    throw invalid("invalid_contacts", field + ".phones", "'" + p + "' must be a phone number, not a JID");
                }
                digits.add(r.phone());
            }
            vcards.add(vcard(c.name().strip(), digits));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", c.name().strip());
            d.put("phones", digits);
            detail.add(d);
        }
        SendService.validateIds(clientMessageId, null);
        boolean one = contacts.size() == 1;
        String display = one ? contacts.get(0).name().strip() : contacts.size() + " contacts";
        String body = one ? "[contact " + display + "]" : "[contacts " + contacts.size() + "]";
        Map<String, Object> details = Map.of("contacts", detail);
        String fp = "contacts\0" + String.join("\0", vcards);
        OutgoingContent out = new OutgoingContent(one ? "contact" : "contactsArray", body, null, null, null, null, null,
                json(details), EngineCommands.contactsContent(display, vcards), fp);
        return sends.submit(caller, connectionId, recipient, out, clientMessageId, null, () -> out);
    }

    /**
     * A reaction to one of this connection's messages (ours or a contact's), named by our
     * {@code message_id} or WhatsApp's {@code provider_message_id}; {@code ""} removes our
     * reaction. The reaction goes to the target's chat.
     */
    public SendService.Result sendReaction(Caller caller, String connectionId, String messageId, String providerMessageId,
                                           String emoji, String clientMessageId) {
        ConnectionIds.require(connectionId);
        if ((messageId == null || messageId.isBlank()) == (providerMessageId == null || providerMessageId.isBlank())) {
            throw invalid("invalid_target", "message_id", "give either message_id or provider_message_id of the message to react to");
        }
        if (emoji == null || emoji.length() > MAX_EMOJI_CHARS || (!emoji.isEmpty()
                && emoji.codePoints().anyMatch(cp -> cp < 0x80 || Character.isWhitespace(cp)))) {
            throw invalid("invalid_emoji", "emoji", "emoji must be one emoji (e.g. \"👍\"), or \"\" to remove the reaction");
        }
        SendService.validateIds(clientMessageId, null);
        connections.get(connectionId, caller); // 404 before the target is looked up
        MessageRow target = findTarget(connectionId, messageId, providerMessageId)
                .orElseThrow(() -> new ApiException.InvalidInput("target_not_found", messageId != null ? "message_id" : "provider_message_id",
                        "no message '" + (messageId != null ? messageId : providerMessageId) + "' on this connection to react to"));
        if (target.providerMessageId() == null) {
            throw invalid("target_not_found", "message_id", "that message has no WhatsApp id to react to");
        }
        boolean fromMe = "outbound".equals(target.direction());
        EngineCommands.Quoted key = EngineCommands.Quoted.of(target.providerMessageId(), target.chatJid(), fromMe,
                target.fromJid(), null);
        Recipient chat = new Recipient(target.chatJid(), null, target.chatJid().endsWith("@g.us"));
        String body = emoji.isEmpty() ? "[reaction removed from " + target.providerMessageId() + "]"
                : "[reaction " + emoji + " to " + target.providerMessageId() + "]";
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("emoji", emoji);
        details.put("target_provider_message_id", target.providerMessageId());
        details.put("target_message_id", target.id().toString());
        String fp = "reaction\0" + target.id() + "\0" + emoji;
        OutgoingContent out = new OutgoingContent("reaction", body, null, null, null, null, null, json(details),
                EngineCommands.reactionContent(key, emoji), fp);
        return sends.submit(caller, connectionId, chat, out, clientMessageId, null, () -> out);
    }

    /**
     * A poll: a question, 2-12 distinct options, {@code selectable_count} 1..options (default 1;
     * 0 = any number). Votes come back as {@code message.poll_vote} webhooks.
     */
    public SendService.Result sendPoll(Caller caller, String connectionId, String to, String name, List<String> options,
                                       Integer selectableCount, String clientMessageId) {
        ConnectionIds.require(connectionId);
        Recipient recipient = Recipients.parse(to);
        if (name == null || name.isBlank() || name.length() > MAX_POLL_NAME) {
            throw invalid("invalid_poll", "name", "name (the question) must be 1-" + MAX_POLL_NAME + " characters");
        }
        if (options == null || options.size() < 2 || options.size() > 12) {
            throw invalid("invalid_poll_options", "options", "a poll needs 2 to 12 options");
        }
        HashSet<String> seen = new HashSet<>();
        for (String o : options) {
            if (o == null || o.isBlank() || o.length() > MAX_OPTION) {
                throw invalid("invalid_poll_options", "options", "each option must be 1-" + MAX_OPTION + " characters");
            }
            if (!seen.add(o.strip())) {
                throw invalid("invalid_poll_options", "options", "options must be different from each other ('" + o.strip() + "' twice)");
            }
        }
        int selectable = selectableCount == null ? 1 : selectableCount;
        if (selectable < 0 || selectable > options.size()) {
            throw invalid("invalid_selectable_count", "selectable_count",
                    "selectable_count must be 1 to the number of options (0 = any number)");
        }
        SendService.validateIds(clientMessageId, null);
        List<String> opts = options.stream().map(String::strip).toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name.strip());
        details.put("options", opts);
        details.put("selectable_count", selectable);
        String fp = "poll\0" + name.strip() + "\0" + String.join("\0", opts) + "\0" + selectable;
        OutgoingContent out = new OutgoingContent("pollCreation", "[poll " + name.strip() + "]", null, null, null, null, null,
                json(details), EngineCommands.pollContent(name.strip(), opts, selectable), fp);
        return sends.submit(caller, connectionId, recipient, out, clientMessageId, null, () -> out);
    }

    /** The message a reaction targets: by our id (a UUID) or by WhatsApp id, on this connection only. */
    private Optional<MessageRow> findTarget(String connectionId, String messageId, String providerMessageId) {
        if (messageId != null && !messageId.isBlank()) {
            UUID id;
            try {
                id = UUID.fromString(messageId.strip());
            } catch (IllegalArgumentException e) {
                throw invalid("invalid_target", "message_id", "message_id must be the message_id (a UUID) the API returned");
            }
            return messages.findById(id).filter(m -> m.connectionId().equals(connectionId));
        }
        return messages.findByProviderId(connectionId, providerMessageId.strip());
    }

    /**
     * A vCard 3.0 card: the name escaped as vCard text, each phone with its WhatsApp id
     * ({@code waid}), as WhatsApp's own contact cards do.
     */
    static String vcard(String name, List<String> phones) {
        String fn = name.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\r", "").replace("\n", "\\n");
        StringBuilder v = new StringBuilder("BEGIN:VCARD\nVERSION:3.0\nFN:").append(fn).append('\n');
        for (String p : phones) {
            v.append("TEL;type=CELL;type=VOICE;waid=").append(p).append(":+").append(p).append('\n');
        }
        return v.append("END:VCARD").toString();
    }

    private static void optionalText(String value, String field, int max) {
        if (value != null && value.length() > max) {
            throw invalid("invalid_" + field, field, field + " is longer than " + max + " characters");
        }
    }

    /** The structured part as stored in {@code messages.details}. */
    private static String json(Map<String, Object> details) {
        return Json.MAPPER.writeValueAsString(details);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static ApiException.InvalidInput invalid(String code, String field, String message) {
        return new ApiException.InvalidInput(code, field, message);
    }
}
