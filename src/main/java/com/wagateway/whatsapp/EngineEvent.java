package com.wagateway.whatsapp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the engine process reports, as immutable records. Nothing here names a Baileys field:
 * the engine maps Baileys objects to the protocol (docs/engine-protocol.md), {@link EngineEvents}
 * picks the record for a protocol line, and each message-family record reads its own
 * {@code data} in its {@code from(...)} — so no engine field name is read outside this package.
 * Each record says when it fires and what the receiver is expected to do.
 */
public sealed interface EngineEvent {

    /** The connection this event belongs to. */
    String connectionId();

    /** The socket was created and is dialing WhatsApp. Receiver: show {@code initializing}. */
    record Connecting(String connectionId) implements EngineEvent { }

    /**
     * A new QR ref is showing; it replaces any earlier one and is valid until {@code expiresAt}.
     * Receiver: {@code qr_ready}, store raw string and image, push to the dashboard.
     */
    record QrIssued(String connectionId, String qr, Instant expiresAt, int ref) implements EngineEvent { }

    /**
     * The phone linked this device (or a stored login was accepted). Receiver: {@code authenticated},
     * store the phone; the session folder now holds a registered login.
     */
    record Authenticated(String connectionId, String jid, String phone, String name, boolean newLogin)
            implements EngineEvent { }

    /** The socket is open and usable. Receiver: {@code ready}, reset reconnect attempts. */
    record Ready(String connectionId, String jid, String phone, String name) implements EngineEvent { }

    /**
     * The socket closed without being asked to. {@code code} is Baileys' DisconnectReason status code
     * (null when unknown). The engine has already dropped the socket: the receiver decides whether and
     * when to start it again (see {@code ConnectionPolicy}).
     */
    record Disconnected(String connectionId, Integer code, String reason, String message,
                        boolean wasOpen, boolean wasAuthenticated) implements EngineEvent { }

    /**
     * {@code contacts.upsert}: names of contacts became known or changed (address book, history
     * sync, push names; the engine reports only changes). Receiver: merge them into the contacts
     * list; a null value never erases a known one.
     */
    record ContactsUpserted(String connectionId, List<Contact> contacts) implements EngineEvent {

        /**
         * One contact as the engine names it: {@code jid} (phone or LID JID), {@code phone} digits
         * and {@code lid} JID when known, the address-book {@code name}, the push name
         * {@code pushName} (the engine's {@code notify}) and a business's {@code verifiedName}; unknown values are null.
         */
        public record Contact(String jid, String phone, String lid, String name, String pushName, String verifiedName) {
        }

        public ContactsUpserted {
            contacts = List.copyOf(contacts);
        }

        /** Reads the event's {@code data}; an entry without a jid is left out. */
        public static ContactsUpserted from(String connectionId, JsonNode data) {
            List<Contact> list = new ArrayList<>();
            for (JsonNode c : data.path("contacts")) {
                String jid = MappedMessage.text(c, "jid");
                if (jid != null) {
                    list.add(new Contact(jid, MappedMessage.text(c, "phone"), MappedMessage.text(c, "lid"),
                            MappedMessage.text(c, "name"), MappedMessage.text(c, "notify"), MappedMessage.text(c, "verifiedName")));
                }
            }
            return new ContactsUpserted(connectionId, list);
        }
    }

    /** The message family: handled by the messaging layer, in engine order, never by the state machine. */
    sealed interface MessageEvent extends EngineEvent { }

    /**
     * {@code messages.upsert}: new messages. {@code type} is {@code notify} (received live) or
     * {@code append} (our own sends echoed back, messages caught up after being offline).
     * Receiver: store each message once (dedupe on its id), apply the edits/deletes it carries.
     */
    record MessagesUpserted(String connectionId, String type, List<MappedMessage> messages) implements MessageEvent {

        public MessagesUpserted {
            messages = List.copyOf(messages);
        }

        /** Reads the event's {@code data}. */
        public static MessagesUpserted from(String connectionId, JsonNode data) {
            return new MessagesUpserted(connectionId, MappedMessage.text(data, "type"), mappedMessages(data));
        }
    }

    /**
     * {@code poll.vote}: contacts voted on polls; each vote decrypted by the engine with the stored
     * poll ({@code selectedOptions} null when it could not be, with {@code error} saying why).
     * Follows the {@code messages.upsert} that carried the vote messages. Receiver: record the
     * vote on the poll and tell the webhook.
     */
    record PollVotes(String connectionId, List<Vote> votes) implements MessageEvent {

        public PollVotes {
            votes = List.copyOf(votes);
        }

        /** One voter's current choice ([] = withdrew their vote). */
        public record Vote(String messageId, String pollMessageId, String voterJid, String voterPhone,
                           List<String> selectedOptions, String error, Instant timestamp) {
        }

        /** Reads the event's {@code data}. */
        public static PollVotes from(String connectionId, JsonNode data) {
            List<Vote> votes = new ArrayList<>();
            for (JsonNode v : data.path("votes")) {
                List<String> options = null;
                if (v.path("selectedOptions").isArray()) {
                    options = new ArrayList<>();
                    for (JsonNode o : v.path("selectedOptions")) {
                        options.add(o.asString());
                    }
                }
                JsonNode ts = v.get("timestamp");
                votes.add(new Vote(MappedMessage.text(v, "messageId"), MappedMessage.text(v, "pollMessageId"),
                        MappedMessage.text(v, "voterJid"), MappedMessage.text(v, "voterPhone"), options,
                        MappedMessage.text(v, "error"),
                        ts == null || ts.isNull() ? null : Instant.ofEpochMilli(ts.asLong())));
            }
            return new PollVotes(connectionId, votes);
        }
    }

    /**
     * {@code messages.update}: receipts (status changes of our messages) and edits/deletes of
     * stored messages. Receiver: raise statuses (never lower them), apply content changes.
     */
    record MessagesUpdated(String connectionId, List<MessageUpdate> updates) implements MessageEvent {

        public MessagesUpdated {
            updates = List.copyOf(updates);
        }

        /** Reads the event's {@code data}. */
        public static MessagesUpdated from(String connectionId, JsonNode data) {
            List<MessageUpdate> out = new ArrayList<>();
            for (JsonNode u : data.path("updates")) {
                out.add(MessageUpdate.from(u));
            }
            return new MessagesUpdated(connectionId, out);
        }
    }

    /**
     * {@code history.set}: one chunk of the phone's history — after a pairing, or the answer to a
     * {@code history.fetch} ({@link #onDemand()}). Receiver: store chats and the newest messages per
     * chat (never as webhooks), then ask for more of chats that are short.
     *
     * @param chats     the chats the phone knows (name, unread count)
     * @param messages  the history messages
     * @param syncType  WhatsApp's history sync type (0 initial bootstrap, ..., 6 on demand), -1 if absent
     * @param progress  the phone's progress in percent, or null
     * @param latest    the phone says this is the latest chunk
     */
    record HistoryChunk(String connectionId, List<Chat> chats, List<MappedMessage> messages, int syncType,
                        Integer progress, boolean latest) implements MessageEvent {

        /** WhatsApp's HistorySyncType ON_DEMAND: the chunk answers a {@code history.fetch}. */
        static final int ON_DEMAND = 6;

        /** One chat of the chunk: its JID, name and unread count (the phone's count is the truth). */
        public record Chat(String id, String name, Integer unreadCount) {
        }

        public HistoryChunk {
            chats = List.copyOf(chats);
            messages = List.copyOf(messages);
        }

        /** True when this chunk answers a {@code history.fetch} (rather than the sync after a pairing). */
        public boolean onDemand() {
            return syncType == ON_DEMAND;
        }

        /** Reads the event's {@code data}; a chat without an id is left out. */
        public static HistoryChunk from(String connectionId, JsonNode data) {
            List<Chat> chats = new ArrayList<>();
            for (JsonNode c : data.path("chats")) {
                String id = MappedMessage.text(c, "id");
                if (id != null) {
                    chats.add(new Chat(id, MappedMessage.text(c, "name"),
                            c.hasNonNull("unreadCount") ? c.get("unreadCount").asInt() : null));
                }
            }
            return new HistoryChunk(connectionId, chats, mappedMessages(data), data.path("syncType").asInt(-1),
                    data.hasNonNull("progress") ? data.get("progress").asInt() : null,
                    data.path("isLatest").asBoolean(false));
        }
    }

    /**
     * {@code contacts.lid}: LID to phone-number pairs became known. Receiver: remember them, so a
     * contact that writes under its LID lands in its phone chat.
     *
     * @param pairs LID JID → phone JID, in engine order; entries lacking either side are left out
     */
    record LidMappings(String connectionId, Map<String, String> pairs) implements MessageEvent {

        public LidMappings {
            pairs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pairs));
        }

        /** Reads the event's {@code data}. */
        public static LidMappings from(String connectionId, JsonNode data) {
            Map<String, String> pairs = new LinkedHashMap<>();
            for (JsonNode m : data.path("mappings")) {
                String lid = MappedMessage.text(m, "lid");
                String pn = MappedMessage.text(m, "pn");
                if (lid != null && pn != null) {
                    pairs.put(lid, pn);
                }
            }
            return new LidMappings(connectionId, pairs);
        }
    }

    /**
     * {@code media.downloaded} / {@code media.failed}: the engine finished with the media of a live
     * message it reported before (its {@code messages.upsert} always comes first). On success the
     * decrypted file is at {@code path} (in the folder hello named); otherwise {@code reason} is
     * {@code too_large}, {@code expired} (gone from WhatsApp even after a re-upload request),
     * {@code download_failed} or {@code busy}. Receiver: adopt the file into the media store (hashing
     * it itself), record the outcome on the message, tell webhooks and the dashboard; a file nobody
     * takes is deleted.
     *
     * @param providerMessageId WhatsApp's id of the message ({@code key.id})
     * @param fromMe            the message was written by this account (outbound row)
     * @param path              the downloaded file, null when it failed
     * @param size              its size, null when it failed
     * @param sha256            the engine's hash of it (checked again by the store), null when it failed
     * @param reason            why it failed, null on success
     * @param message           the failure's detail, for logs and {@code media_error}
     * @param seconds           duration WhatsApp gives (audio, voice, video), else null
     * @param width             pixels WhatsApp gives (image, video, sticker), else null
     * @param height            pixels WhatsApp gives, else null
     */
    record MediaResult(String connectionId, String providerMessageId, String remoteJid, boolean fromMe, String path,
                       Long size, String sha256, String reason, String message, Integer seconds, Integer width,
                       Integer height) implements EngineEvent {

        /** True when the file was downloaded. */
        public boolean downloaded() {
            return path != null && reason == null;
        }

        /** Reads the data of {@code media.downloaded} ({@code downloaded} true) or {@code media.failed}. */
        public static MediaResult from(String connectionId, JsonNode data, boolean downloaded) {
            JsonNode key = data.path("key");
            return new MediaResult(connectionId, MappedMessage.text(key, "id"), MappedMessage.text(key, "remoteJid"),
                    key.path("fromMe").asBoolean(false),
                    downloaded ? MappedMessage.text(data, "path") : null,
                    downloaded && data.hasNonNull("size") ? data.get("size").asLong() : null,
                    downloaded ? MappedMessage.text(data, "sha256") : null,
                    downloaded ? null : java.util.Objects.requireNonNullElse(MappedMessage.text(data, "reason"), "download_failed"),
                    downloaded ? null : MappedMessage.text(data, "message"),
                    intOrNull(data, "seconds"), intOrNull(data, "width"), intOrNull(data, "height"));
        }

        private static Integer intOrNull(JsonNode data, String field) {
            JsonNode v = data.get(field);
            return v == null || !v.canConvertToInt() ? null : v.asInt();
        }
    }

    /**
     * A contact calls this account (one event per call offer). {@code rejected}: the engine already
     * rejected it because the connection's {@code reject_calls} is on ({@code error} when that
     * failed). Receiver: the {@code call} webhook and realtime event; the auto-reply text if set.
     *
     * @param from      the caller's JID as WhatsApp named it (phone or LID)
     * @param fromPhone the caller's phone digits when known, else null
     * @param at        when WhatsApp says the call started (null when it did not say)
     */
    record CallReceived(String connectionId, String callId, String from, String fromPhone, boolean video, boolean group,
                        boolean offline, Instant at, boolean rejected, String error) implements EngineEvent {

        /** Reads the data of a {@code call} event. */
        public static CallReceived from(String connectionId, JsonNode d) {
            return new CallReceived(connectionId, MappedMessage.text(d, "callId"), MappedMessage.text(d, "from"),
                    MappedMessage.text(d, "fromPhone"), d.path("isVideo").asBoolean(false), d.path("isGroup").asBoolean(false),
                    d.path("offline").asBoolean(false),
                    d.hasNonNull("timestamp") ? Instant.ofEpochSecond(d.get("timestamp").asLong()) : null,
                    d.path("rejected").asBoolean(false), MappedMessage.text(d, "error"));
        }
    }

    /**
     * A contact's presence changed (after the connection subscribed to it, or a chat state such
     * as typing in a chat). Receiver: the realtime channel only; nothing is stored.
     *
     * @param state    {@code available}, {@code unavailable}, {@code composing}, {@code recording} or {@code paused}
     * @param lastSeen when the contact was last online, when WhatsApp says (else null)
     */
    record PresenceChanged(String connectionId, String chatJid, String jid, String phone, String state, Instant lastSeen)
            implements EngineEvent {

        /** Reads the data of a {@code presence.update} event. */
        public static PresenceChanged from(String connectionId, JsonNode d) {
            return new PresenceChanged(connectionId, MappedMessage.text(d, "chatJid"), MappedMessage.text(d, "jid"),
                    MappedMessage.text(d, "phone"), MappedMessage.text(d, "state"),
                    d.hasNonNull("lastSeen") ? Instant.ofEpochSecond(d.get("lastSeen").asLong()) : null);
        }
    }

    /**
     * {@code connection.restriction}: WhatsApp restricted the account, or lifted a restriction.
     * {@code kind} is {@code reachout_timelock} (the reach-out time lock) or {@code message_capping}
     * (new chats capped); {@code until} when it ends (null: not said); {@code detail} the
     * enforcement type or capping status as WhatsApp names it. The engine repeats the current
     * state at every connect. Receiver: store it per kind (a repeat changes nothing), show it in
     * the connection's status, tell webhooks of changes, refuse sends to new contacts meanwhile.
     */
    record RestrictionChanged(String connectionId, String kind, boolean active, Instant until, String detail)
            implements EngineEvent {

        /** Reads the event's {@code data}; {@code until} is epoch milliseconds. */
        public static RestrictionChanged from(String connectionId, JsonNode data) {
            JsonNode until = data.get("until");
            return new RestrictionChanged(connectionId, MappedMessage.text(data, "kind"), data.path("active").asBoolean(false),
                    until == null || !until.isNumber() ? null : Instant.ofEpochMilli(until.asLong()),
                    MappedMessage.text(data, "detail"));
        }
    }

    /** The {@code messages} list of an upsert or history chunk, typed. */
    private static List<MappedMessage> mappedMessages(JsonNode data) {
        List<MappedMessage> out = new ArrayList<>();
        for (JsonNode m : data.path("messages")) {
            out.add(MappedMessage.from(m));
        }
        return out;
    }

    // --- groups (issue 16 part 3) ---

    /** One member of a group as the engine reports it: phone digits and LID JID when known, {@code admin} null, admin or superadmin. */
    record GroupMember(String jid, String phone, String lid, String admin) {

        static List<GroupMember> listFrom(JsonNode array) {
            List<GroupMember> out = new ArrayList<>();
            for (JsonNode p : array) {
                out.add(new GroupMember(MappedMessage.text(p, "jid"), MappedMessage.text(p, "phone"),
                        MappedMessage.text(p, "lid"), MappedMessage.text(p, "admin")));
            }
            return List.copyOf(out);
        }
    }

    /**
     * {@code group.participants}: members were added, removed (or left), promoted or demoted in a
     * group we are in, by {@code authorPhone} (null when unknown). Receiver: webhook and realtime.
     */
    record GroupParticipants(String connectionId, String groupJid, String action, String authorPhone,
                             List<GroupMember> participants) implements EngineEvent {

        public static GroupParticipants from(String connectionId, JsonNode d) {
            return new GroupParticipants(connectionId, MappedMessage.text(d, "groupJid"), MappedMessage.text(d, "action"),
                    MappedMessage.text(d, "authorPhone"), GroupMember.listFrom(d.path("participants")));
        }
    }

    /**
     * {@code group.updated}: a group's subject and/or description changed, or a group appeared
     * ({@code created}: created by us or someone added us). {@code subjectChanged} /
     * {@code descriptionChanged} say which of the two the event carries ({@code description} null
     * with {@code descriptionChanged} = removed). Receiver: chat name, webhook and realtime.
     */
    record GroupUpdated(String connectionId, String groupJid, boolean subjectChanged, String subject,
                        boolean descriptionChanged, String description, String authorPhone, boolean created)
            implements EngineEvent {

        public static GroupUpdated from(String connectionId, JsonNode d) {
            return new GroupUpdated(connectionId, MappedMessage.text(d, "groupJid"), d.has("subject"), MappedMessage.text(d, "subject"),
                    d.has("description"), MappedMessage.text(d, "description"), MappedMessage.text(d, "authorPhone"),
                    d.path("created").asBoolean(false));
        }
    }
}
