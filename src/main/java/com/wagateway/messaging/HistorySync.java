package com.wagateway.messaging;

import com.wagateway.shared.Threads;
import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ChatRepository;
import com.wagateway.database.ChatTouch;
import com.wagateway.database.LidRepository;
import com.wagateway.database.MessageInserts;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.ChatFill;
import com.wagateway.database.MessageRow;
import com.wagateway.database.NewMessage;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.MappedMessage;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Handles {@code history.set}: stores the chats and, per chat, the newest
 * {@code HISTORY_MESSAGES_PER_CHAT} messages; then asks the phone for more history of chats that
 * have fewer ({@code history.fetch}), one request at a time per connection, spaced out, each
 * given up after {@code HISTORY_FETCH_TIMEOUT}.
 *
 * <p>Guarantees: history rows never trigger webhooks; a chat is asked for more at most once (the
 * claim is stored in {@code chats.history_requested_at}); only history rows are pruned, never
 * live messages; a phone that never answers only delays the next request.
 */
@Service
public class HistorySync {

    private static final Logger log = LoggerFactory.getLogger(HistorySync.class);
    private static final Duration SPACING = Duration.ofSeconds(1);

    private final MessageRepository messages;
    private final MessageInserts inserts;
    private final ChatRepository chats;
    private final LidRepository lids;
    private final EngineClient engine;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final int keep;
    private final Duration fetchTimeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.named("history-fetch"));
    /** Per connection: chats waiting for a request, and the chat whose request is outstanding. */
    private final Map<String, Deque<ChatFill>> waiting = new HashMap<>();
    private final Map<String, String> outstanding = new HashMap<>();

    public HistorySync(MessageRepository messages, MessageInserts inserts, ChatRepository chats, LidRepository lids,
                       EngineClient engine, TransactionTemplate tx, Publisher events, GatewayProperties props) {
        this.messages = messages;
        this.inserts = inserts;
        this.chats = chats;
        this.lids = lids;
        this.engine = engine;
        this.tx = tx;
        this.events = events;
        this.keep = Math.max(1, props.messaging().historyMessagesPerChat());
        this.fetchTimeout = props.messaging().historyFetchTimeout();
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** Stores one history chunk and queues requests for chats that are still short. */
    void onChunk(EngineEvent.HistoryChunk chunk) {
        String connectionId = chunk.connectionId();
        Map<String, List<NewMessage>> byChat = new LinkedHashMap<>();
        Map<String, String> lidPairs = new LinkedHashMap<>();
        for (MappedMessage m : chunk.messages()) {
            EngineMessage em = EngineMessage.read(m, true);
            if (em.lid() != null) {
                lidPairs.put(em.lid(), em.lidPn());
            }
            if (em.action() == EngineMessage.Action.STORE) {
                byChat.computeIfAbsent(em.row().chatJid(), k -> new ArrayList<>()).add(em.row());
            }
        }
        List<NewMessage> rows = new ArrayList<>();
        Comparator<NewMessage> newestFirst = Comparator.comparing(NewMessage::waTimestamp,
                Comparator.nullsLast(Comparator.<Instant>naturalOrder())).reversed();
        byChat.values().forEach(list -> list.stream().sorted(newestFirst).limit(keep).forEach(rows::add));
        Map<String, ChatTouch> touches = chatEntries(chunk.chats(), lidPairs);
        List<String> chatJids = new ArrayList<>(byChat.keySet());
        List<MessageRow> stored = new ArrayList<>();
        tx.executeWithoutResult(s -> {
            lids.upsert(connectionId, lidPairs);
            stored.addAll(inserts.insertBatch(connectionId, rows));
            messages.pruneHistory(connectionId, chatJids, keep);
            for (ChatTouch t : InboundMessages.touches(stored, false)) {
                touches.merge(t.chatJid(), t, ChatTouch::merge);
            }
            chats.upsert(connectionId, touches.values());
        });
        log.info("[{}] history chunk (sync type {}): {} chats, {} messages stored", connectionId,
                chunk.syncType(), touches.size(), stored.size());
        if (!stored.isEmpty()) {
            events.publish(new MessageEvents.Stored(connectionId, stored, false));
        }
        if (chunk.onDemand()) {
            answered(connectionId, chatJids);
        } else {
            queueShortChats(connectionId, chatJids);
        }
    }

    /**
     * The chunk's chats: id, name, unread count (the phone's numbers are the truth for unread).
     * A LID-addressed chat whose phone is known is filed under the phone JID, like its messages.
     */
    private static Map<String, ChatTouch> chatEntries(List<EngineEvent.HistoryChunk.Chat> list, Map<String, String> lidPairs) {
        Map<String, ChatTouch> out = new LinkedHashMap<>();
        for (EngineEvent.HistoryChunk.Chat c : list) {
            String id = c.id();
            if (id != null && lidPairs.containsKey(id)) {
                id = lidPairs.get(id);
            }
            if (id == null || id.equals("status@broadcast")) {
                continue;
            }
            String name = c.name();
            Integer unread = c.unreadCount();
            boolean group = id.endsWith("@g.us");
            String phone = !group && id.endsWith("@s.whatsapp.net") ? id.substring(0, id.indexOf('@')) : null;
            out.put(id, new ChatTouch(id, name, phone, group, null, null, null, null, 0, unread));
        }
        return out;
    }

    private void queueShortChats(String connectionId, List<String> chatJids) {
        List<ChatFill> shortChats = messages.fillOf(connectionId, chatJids).stream()
                .filter(f -> f.count() < keep && f.oldestProviderId() != null).toList();
        synchronized (this) {
            Deque<ChatFill> q = waiting.computeIfAbsent(connectionId, k -> new ArrayDeque<>());
            q.addAll(shortChats);
            if (!outstanding.containsKey(connectionId)) {
                timer.execute(() -> next(connectionId));
            }
        }
    }

    /** Sends the next request of this connection, unless one is outstanding. Runs on the timer thread. */
    private void next(String connectionId) {
        ChatFill fill;
        synchronized (this) {
            if (outstanding.containsKey(connectionId)) {
                return;
            }
            Deque<ChatFill> q = waiting.get(connectionId);
            fill = q == null ? null : q.poll();
            if (fill == null) {
                waiting.remove(connectionId);
                return;
            }
            outstanding.put(connectionId, fill.chatJid());
        }
        if (!chats.claimHistoryRequest(connectionId, fill.chatJid())) {
            finish(connectionId, fill.chatJid(), Duration.ZERO);
            return;
        }
        EngineCommands.HistoryFetch request = new EngineCommands.HistoryFetch(keep - fill.count(),
                fill.oldestProviderId(), fill.chatJid(), fill.oldestFromMe(),
                fill.oldestTimestamp() == null ? Instant.now() : fill.oldestTimestamp());
        String chat = fill.chatJid();
        engine.historyFetch(connectionId, request).whenComplete((r, e) -> {
            if (e != null) {
                log.info("[{}] history request for a chat failed: {}", connectionId, e.getMessage());
                finish(connectionId, chat, SPACING);
            } else {
                timer.schedule(() -> {
                    if (finish(connectionId, chat, Duration.ZERO)) {
                        log.info("[{}] history request unanswered after {}", connectionId, fetchTimeout);
                    }
                }, fetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** An on-demand chunk arrived: the outstanding request (if it was for one of these chats) is done. */
    private void answered(String connectionId, List<String> chatJids) {
        String chat;
        synchronized (this) {
            chat = outstanding.get(connectionId);
        }
        if (chat != null && chatJids.contains(chat)) {
            finish(connectionId, chat, SPACING);
        }
    }

    /** Ends the outstanding request for {@code chat} (true if it was still outstanding) and schedules the next. */
    private boolean finish(String connectionId, String chat, Duration delay) {
        synchronized (this) {
            if (!chat.equals(outstanding.get(connectionId))) {
                return false;
            }
            outstanding.remove(connectionId);
        }
        try {
            timer.schedule(() -> next(connectionId), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("history sync stopped");
        }
        return true;
    }
}
