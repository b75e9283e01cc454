package com.wagateway.messaging;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.ChatTouch;
import com.wagateway.database.LidRepository;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.StatusUpdate;
import com.wagateway.database.MessageRow;
import com.wagateway.database.NewMessage;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Stores what WhatsApp delivers: new messages ({@code messages.upsert}), receipts, edits and
 * deletes ({@code messages.update}), LID pairs ({@code contacts.lid}); history chunks go to
 * {@link HistorySync}.
 *
 * <p>Guarantees: each engine event is one database transaction in which the messages, the chats
 * view and the webhook events describing them are written together — so a crash either loses
 * nothing or repeats nothing (the engine event is simply not applied). A message is stored once
 * (dedupe on WhatsApp's key; our own sends echoed back by Baileys are recognised by their id).
 * Statuses never move backwards. Application events are published only after the commit.
 */
@Service
public class InboundMessages implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

    private final MessageRepository messages;
    private final ChatRepository chats;
    private final LidRepository lids;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final HistorySync history;

    public InboundMessages(MessageRepository messages, ChatRepository chats, LidRepository lids, WebhookOutbox outbox,
                           TransactionTemplate tx, Publisher events, HistorySync history) {
        this.messages = messages;
        this.chats = chats;
        this.lids = lids;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
        this.history = history;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (!(event instanceof EngineEvent.MessageEvent)) {
            return;
        }
        try {
            if (event instanceof EngineEvent.MessagesUpserted u) {
                onUpsert(u.connectionId(), u.data().path("messages"));
            } else if (event instanceof EngineEvent.MessagesUpdated u) {
                onUpdate(u.connectionId(), u.data().path("updates"));
            } else if (event instanceof EngineEvent.HistoryChunk h) {
                history.onChunk(h.connectionId(), h.data());
            } else if (event instanceof EngineEvent.LidMappings l) {
                onLids(l.connectionId(), l.data().path("mappings"));
            }
        } catch (RuntimeException e) {
            // e.g. the connection was deleted meanwhile (foreign key); the event cannot be applied
            log.warn("[{}] could not store {}: {}", event.connectionId(), event.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** New messages, live ({@code notify}) or echoed/offline ({@code append}). */
    void onUpsert(String connectionId, JsonNode list) {
        List<NewMessage> rows = new ArrayList<>();
        List<EngineMessage> changes = new ArrayList<>();
        Map<String, String> lidPairs = new LinkedHashMap<>();
        for (JsonNode m : list) {
            EngineMessage em = EngineMessage.read(m, false);
            if (em.lid() != null) {
                lidPairs.put(em.lid(), em.lidPn());
            }
            if (em.action() == EngineMessage.Action.STORE) {
                rows.add(em.row());
            } else if (em.action() != EngineMessage.Action.SKIP) {
                changes.add(em);
            }
        }
        List<MessageRow> stored = new ArrayList<>();
        tx.executeWithoutResult(s -> {
            lids.upsert(connectionId, lidPairs);
            stored.addAll(messages.insertBatch(connectionId, rows));
            for (EngineMessage c : changes) {
                Optional<MessageRow> changed = c.action() == EngineMessage.Action.EDIT
                        ? messages.applyEdit(connectionId, c.targetId(), c.editText(), null)
                        : messages.applyRevoke(connectionId, c.targetId());
                changed.ifPresent(stored::add);
            }
            chats.upsert(connectionId, touches(stored, true));
            outbox.enqueue(webhooks(stored));
        });
        if (!stored.isEmpty()) {
            events.publish(new MessageEvents.Stored(connectionId, stored, true));
        }
    }

    /**
     * Receipts and content changes. Per message only the highest status of the batch is applied
     * (the rank rule in SQL rejects anything lower than what is stored).
     */
    void onUpdate(String connectionId, JsonNode updates) {
        Map<String, StatusUpdate> statuses = new LinkedHashMap<>();
        List<JsonNode> contentChanges = new ArrayList<>();
        for (JsonNode u : updates) {
            String id = EngineMessage.text(u.path("key"), "id");
            if (id == null) {
                continue;
            }
            if (u.hasNonNull("edit") || u.path("revoked").asBoolean(false)) {
                contentChanges.add(u);
            }
            String status = EngineMessage.text(u, "status");
            if (status == null || !u.path("key").path("fromMe").asBoolean(false)
                    || !MessageStatuses.isOutboundStatus(status)) {
                continue;
            }
            StatusUpdate next = new StatusUpdate(id, status, "failed".equals(status) ? EngineMessage.text(u, "error") : null);
            statuses.merge(id, next, (a, b) -> MessageStatuses.rank(b.status()) > MessageStatuses.rank(a.status()) ? b : a);
        }
        List<MessageRow> changed = new ArrayList<>();
        List<MessageRow> edited = new ArrayList<>();
        tx.executeWithoutResult(s -> {
            changed.addAll(messages.applyStatuses(connectionId, List.copyOf(statuses.values())));
            for (JsonNode u : contentChanges) {
                String id = EngineMessage.text(u.path("key"), "id");
                Optional<MessageRow> row = u.hasNonNull("edit")
                        ? messages.applyEdit(connectionId, id, EngineMessage.text(u.path("edit"), "text"),
                                u.path("edit").hasNonNull("message") ? u.path("edit").get("message").toString() : null)
                        : messages.applyRevoke(connectionId, id);
                row.ifPresent(edited::add);
            }
            outbox.enqueue(changed.stream().map(WebhookPayloads::status).toList());
        });
        for (MessageRow m : changed) {
            events.publish(new MessageEvents.StatusChanged(connectionId, m));
        }
        if (!edited.isEmpty()) {
            events.publish(new MessageEvents.Stored(connectionId, edited, true));
        }
    }

    /** {@code contacts.lid}: remember LID → phone pairs. */
    void onLids(String connectionId, JsonNode mappings) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (JsonNode m : mappings) {
            String lid = EngineMessage.text(m, "lid");
            String pn = EngineMessage.text(m, "pn");
            if (lid != null && pn != null) {
                pairs.put(lid, pn);
            }
        }
        lids.upsert(connectionId, pairs);
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
     * One chat touch per chat (latest message wins). Live inbound messages raise the unread count;
     * a 1:1 contact's push name names the chat until a better name is known.
     */
    static Collection<ChatTouch> touches(List<MessageRow> rows, boolean live) {
        Map<String, ChatTouch> byChat = new LinkedHashMap<>();
        for (MessageRow m : rows) {
            if (m.editedAt() != null || m.revokedAt() != null) {
                continue;
            }
            boolean inbound = !m.outbound();
            String phone = m.isGroup() ? null : (inbound ? m.fromPhone() : m.toPhone());
            ChatTouch t = new ChatTouch(m.chatJid(), inbound && !m.isGroup() ? m.pushName() : null, phone, m.isGroup(),
                    m.id(), m.body(), m.direction(), m.sortAt(), live && inbound ? 1 : 0, null);
            byChat.merge(m.chatJid(), t, ChatTouch::merge);
        }
        return byChat.values();
    }
}
