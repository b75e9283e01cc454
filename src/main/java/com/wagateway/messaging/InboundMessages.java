package com.wagateway.messaging;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.ChatTouch;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.database.LidRepository;
import com.wagateway.database.MessageInserts;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.StatusUpdate;
import com.wagateway.database.MessageRow;
import com.wagateway.database.NewMessage;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import com.wagateway.whatsapp.MappedMessage;
import com.wagateway.whatsapp.MessageUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores what WhatsApp delivers: new messages ({@code messages.upsert}), receipts, edits and
 * deletes ({@code messages.update}), LID pairs ({@code contacts.lid}); history chunks go to
 * {@link HistorySync}.
 *
 * <p>Guarantees: each engine event is applied in one database transaction in which the messages,
 * the chats view and the webhook events describing them are written together — so a crash either
 * loses nothing or repeats nothing (the engine event is simply not applied). Under load, events
 * that queued up together share one transaction ({@link #onEvents}: group commit). A message is stored once
 * (dedupe on WhatsApp's key; our own sends echoed back by Baileys are recognised by their id).
 * Statuses never move backwards. Application events are published only after the commit.
 * While the database is unreachable nothing is skipped: the failure goes up to the engine's
 * dispatcher, which repeats the same call until it succeeds (applying an event twice stores
 * nothing twice, so a lost commit answer is harmless).
 */
@Service
public class InboundMessages implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

    private final MessageRepository messages;
    private final MessageInserts inserts;
    private final ChatRepository chats;
    private final LidRepository lids;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final HistorySync history;
    private final com.wagateway.services.ConnectionSettingsService settings;

    public InboundMessages(MessageRepository messages, MessageInserts inserts, ChatRepository chats, LidRepository lids, WebhookOutbox outbox,
                           TransactionTemplate tx, Publisher events, HistorySync history,
                           com.wagateway.services.ConnectionSettingsService settings) {
        this.settings = settings;
        this.messages = messages;
        this.inserts = inserts;
        this.chats = chats;
        this.lids = lids;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
        this.history = history;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.HistoryChunk h) {
            try {
                history.onChunk(h);
            } catch (RuntimeException e) {
                rethrowIfDatabaseUnreachable(e);
                log.warn("[{}] could not store a history chunk: {}", h.connectionId(), e.getMessage());
            }
        } else if (event instanceof EngineEvent.MessageEvent) {
            try {
                List<Object> after = new ArrayList<>();
                tx.executeWithoutResult(s -> after.addAll(apply(event)));
                after.forEach(events::publish);
            } catch (RuntimeException e) {
                rethrowIfDatabaseUnreachable(e);
                // e.g. the connection was deleted meanwhile (foreign key); the event cannot be applied
                log.warn("[{}] could not store {}: {} ({})", event.connectionId(), event.getClass().getSimpleName(), e.getMessage(),
                        DatabaseUnavailable.describe(e));
            }
        }
    }

    /**
     * Group commit: message events that queued up together (engine order) are applied in one
     * transaction, so a flood costs one commit per group instead of one per event. History chunks
     * keep their own path (they may ask the engine for more). If the group fails as a whole (one
     * event cannot be applied, e.g. its connection was just deleted), each event is applied alone,
     * so the others still land — nothing is applied twice, because the failed group left nothing.
     */
    @Override
    public void onEvents(List<EngineEvent> group) {
        List<EngineEvent> run = new ArrayList<>();
        for (EngineEvent e : group) {
            if (e instanceof EngineEvent.HistoryChunk) {
                applyTogether(run);
                run.clear();
                onEvent(e);
            } else if (e instanceof EngineEvent.MessageEvent) {
                run.add(e);
            }
        }
        applyTogether(run);
    }

    private void applyTogether(List<EngineEvent> run) {
        if (run.size() <= 1) {
            run.forEach(this::onEvent);
            return;
        }
        List<Object> after = new ArrayList<>();
        try {
            tx.executeWithoutResult(s -> {
                List<EngineEvent.MessagesUpserted> upserts = new ArrayList<>();
                for (EngineEvent e : run) {
                    if (e instanceof EngineEvent.MessagesUpserted u) {
                        upserts.add(u);
                        continue;
                    }
                    after.addAll(applyUpserts(upserts));
                    upserts.clear();
                    after.addAll(apply(e));
                }
                after.addAll(applyUpserts(upserts));
            });
        } catch (RuntimeException e) {
            rethrowIfDatabaseUnreachable(e);
            log.debug("a group of {} engine events failed ({}); applying them one by one", run.size(), e.getMessage());
            run.forEach(this::onEvent);
            return;
        }
        after.forEach(events::publish);
    }

    /**
     * A failure because the database is unreachable is not this event's fault: it goes up to the
     * engine's dispatcher, which holds the events and calls again until they are stored (in
     * order). Only failures of the event itself (a data error) are logged and skipped here.
     */
    private static void rethrowIfDatabaseUnreachable(RuntimeException e) {
        if (DatabaseUnavailable.isCause(e)) {
            throw e;
        }
    }

    /** Applies one message event inside the caller's transaction; returns what to publish after the commit. */
    private List<Object> apply(EngineEvent event) {
        if (event instanceof EngineEvent.MessagesUpserted u) {
            return applyUpserts(List.of(u));
        } else if (event instanceof EngineEvent.MessagesUpdated u) {
            return applyUpdate(u.connectionId(), u.updates());
        } else if (event instanceof EngineEvent.LidMappings l) {
            lids.upsert(l.connectionId(), l.pairs());
        }
        return List.of();
    }

    /**
     * New messages, live ({@code notify}) or echoed/offline ({@code append}), of consecutive
     * upsert events of any connections: one batched insert for all of them
     * ({@link MessageInserts#insertBatch(List, List)}), then edits/deletes in engine order, one
     * chats update per connection and one webhook insert. Runs inside a transaction; returns what to publish after the commit.
     */
    private List<Object> applyUpserts(List<EngineEvent.MessagesUpserted> upserts) {
        if (upserts.isEmpty()) {
            return List.of();
        }
        List<String> owners = new ArrayList<>();
        List<NewMessage> rows = new ArrayList<>();
        List<Map.Entry<String, EngineMessage>> changes = new ArrayList<>();
        Map<String, Map<String, String>> lidPairs = new LinkedHashMap<>();
        Map<String, List<StatusUpdate>> ownStatuses = new LinkedHashMap<>();
        for (EngineEvent.MessagesUpserted u : upserts) {
            for (MappedMessage m : u.messages()) {
                if (ignored(u.connectionId(), m.chatJid())) {
                    continue; // ignore_groups / ignore_broadcasts: neither stored nor delivered
                }
                ownStatusOf(m).ifPresent(st -> ownStatuses.computeIfAbsent(u.connectionId(), k -> new ArrayList<>()).add(st));
                EngineMessage em = EngineMessage.read(m, false);
                if (em.lid() != null) {
                    lidPairs.computeIfAbsent(u.connectionId(), k -> new LinkedHashMap<>()).put(em.lid(), em.lidPn());
                }
                if (em.action() == EngineMessage.Action.STORE) {
                    owners.add(u.connectionId());
                    rows.add(em.row());
                } else if (em.action() != EngineMessage.Action.SKIP) {
                    changes.add(Map.entry(u.connectionId(), em));
                }
            }
        }
        lidPairs.forEach(lids::upsert);
        List<MessageRow> stored = new ArrayList<>(inserts.insertBatch(owners, rows));
        for (Map.Entry<String, EngineMessage> change : changes) {
            EngineMessage c = change.getValue();
            Optional<MessageRow> changed = c.action() == EngineMessage.Action.EDIT
                    ? messages.applyEdit(change.getKey(), c.targetId(), c.editText(), null)
                    : messages.applyRevoke(change.getKey(), c.targetId());
            changed.ifPresent(stored::add);
        }
        Map<String, List<MessageRow>> byConnection = new LinkedHashMap<>();
        for (MessageRow m : stored) {
            byConnection.computeIfAbsent(m.connectionId(), k -> new ArrayList<>()).add(m);
        }
        byConnection.forEach((connectionId, list) -> chats.upsert(connectionId, touches(list, true)));
        outbox.enqueue(webhooks(stored));
        List<Object> after = new ArrayList<>();
        byConnection.forEach((connectionId, list) -> after.add(new MessageEvents.Stored(connectionId, list, true)));
        ownStatuses.forEach((connectionId, list) -> after.addAll(applyStatuses(connectionId, list)));
        return after;
    }

    /**
     * The receipt status an echo of one of our own messages carries. Baileys' event buffer merges a
     * receipt that arrives while the message's own upsert is still buffered (its {@code append}
     * echo, held while the initial sync buffers events) into that upsert: no
     * {@code messages.update} follows, so the status is read here or lost. Only receipts count
     * (delivered, read, played): the echo of a plain send says nothing new, and a {@code failed}
     * merged in the same way is a send's error ack, which the dispatcher already handles through
     * that send's reply (a retry, or the end state). Applying it would end a message still being
     * retried; the engine takes it off too (server-acks.js), this is the second lock.
     */
    static Optional<StatusUpdate> ownStatusOf(MappedMessage m) {
        String status = m.status();
        if (!m.fromMe() || m.id() == null || status == null || !MessageStatuses.isOutboundStatus(status)
                || MessageStatuses.rank(status) <= MessageStatuses.rank("failed")) {
            return Optional.empty();
        }
        return Optional.of(new StatusUpdate(m.id(), status, null));
    }

    /**
     * Whether the connection's settings drop this chat's messages: groups ({@code @g.us}) with
     * {@code ignore_groups}, broadcasts ({@code @broadcast}) with {@code ignore_broadcasts}. The
     * engine already drops them before reporting; this check covers messages that were on their
     * way while the setting changed. An in-memory lookup: no database round trip per message.
     */
    private boolean ignored(String connectionId, String chatJid) {
        if (chatJid == null || !(chatJid.endsWith("@g.us") || chatJid.endsWith("@broadcast"))) {
            return false;
        }
        var s = settings.current(connectionId);
        return chatJid.endsWith("@g.us") ? s.ignoreGroups() : s.ignoreBroadcasts();
    }

    /**
     * Receipts and content changes. Per message only the highest status of the batch is applied
     * (the rank rule in SQL rejects anything lower than what is stored). Runs inside a transaction.
     */
    private List<Object> applyUpdate(String connectionId, List<MessageUpdate> updates) {
        Map<String, StatusUpdate> statuses = new LinkedHashMap<>();
        List<MessageUpdate> contentChanges = new ArrayList<>();
        for (MessageUpdate u : updates) {
            String id = u.id();
            if (id == null) {
                continue;
            }
            if (u.changesContent()) {
                contentChanges.add(u);
            }
            String status = u.status();
            if (status == null || !u.fromMe() || !MessageStatuses.isOutboundStatus(status)) {
                continue;
            }
            StatusUpdate next = new StatusUpdate(id, status, "failed".equals(status) ? u.error() : null);
            statuses.merge(id, next, (a, b) -> MessageStatuses.rank(b.status()) > MessageStatuses.rank(a.status()) ? b : a);
        }
        List<Object> after = applyStatuses(connectionId, List.copyOf(statuses.values()));
        List<MessageRow> edited = new ArrayList<>();
        for (MessageUpdate u : contentChanges) {
            Optional<MessageRow> row = u.edit() != null
                    ? messages.applyEdit(connectionId, u.id(), u.edit().text(), u.edit().contentJson())
                    : messages.applyRevoke(connectionId, u.id());
            row.ifPresent(edited::add);
        }
        if (!edited.isEmpty()) {
            after.add(new MessageEvents.Stored(connectionId, edited, true));
        }
        return after;
    }

    /**
     * Applies statuses of our messages (the rank rule in SQL keeps only advances, so a status the
     * row already has changes nothing and sends no second webhook); queues a
     * {@code message.status} webhook per changed row. Returns what to publish after the commit.
     */
    private List<Object> applyStatuses(String connectionId, List<StatusUpdate> statuses) {
        List<MessageRow> changed = messages.applyStatuses(connectionId, statuses);
        outbox.enqueue(changed.stream().map(WebhookPayloads::status).toList());
        List<Object> after = new ArrayList<>();
        for (MessageRow m : changed) {
            after.add(new MessageEvents.StatusChanged(connectionId, m));
        }
        return after;
    }

    /** Webhooks for new rows: inbound → {@code message.received}; sent from the phone → {@code message.sent}. */
    private static List<WebhookEvent> webhooks(List<MessageRow> stored) {
        List<WebhookEvent> out = new ArrayList<>();
        for (MessageRow m : stored) {
            if (m.fromHistory() || m.editedAt() != null || m.revokedAt() != null) {
                continue;
            }
            if (!m.outbound()) {
                out.add(WebhookPayloads.received(m));
            } else if (m.clientMessageId() == null) {
                out.add(WebhookPayloads.sent(m));
            }
        }
        return out;
    }

    /**
     * One chat touch per chat (latest message wins). Live inbound messages raise the unread count
     * once each: an undecryptable placeholder that its content replaces later (a row updated after
     * it was created, or the same row twice in one batch) is the same message, not a new unread
     * one. A 1:1 contact's push name names the chat until a better name is known; a chat many
     * people write in (a group, WhatsApp Status, a broadcast list) takes neither a sender's phone
     * nor a sender's name.
     */
    static Collection<ChatTouch> touches(List<MessageRow> rows, boolean live) {
        Map<String, ChatTouch> byChat = new LinkedHashMap<>();
        Set<UUID> counted = new HashSet<>();
        for (MessageRow m : rows) {
            if (m.editedAt() != null || m.revokedAt() != null) {
                continue;
            }
            boolean inbound = !m.outbound();
            boolean shared = m.isGroup() || (m.chatJid() != null && m.chatJid().endsWith("@broadcast"));
            String phone = shared ? null : (inbound ? m.fromPhone() : m.toPhone());
            ChatTouch t = new ChatTouch(m.chatJid(), inbound && !shared ? m.pushName() : null, phone, m.isGroup(),
                    m.id(), m.body(), m.direction(), m.sortAt(), live && inbound && isNew(m) && counted.add(m.id()) ? 1 : 0, null);
            byChat.merge(m.chatJid(), t, ChatTouch::merge);
        }
        return byChat.values();
    }

    /** True for a row stored by this insert (both stamps are the inserting transaction's now()), false for a replaced one. */
    private static boolean isNew(MessageRow m) {
        return m.createdAt() == null || m.updatedAt() == null || !m.updatedAt().isAfter(m.createdAt());
    }
}
