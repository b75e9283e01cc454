package com.wagateway.messaging;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ConnectionSettingsService;
import com.wagateway.whatsapp.ChatCommands;
import com.wagateway.whatsapp.EngineException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * WhatsApp read receipts when a chat is marked read (issue 16 part 4), only for connections whose
 * {@code send_read_receipts} setting is on (default off: contacts then never see blue ticks from
 * the gateway). The messages are the chat's newest {@code unread} messages from contacts — the
 * ones the unread count said were unread — at most {@link #MAX_KEYS}.
 *
 * <p>Best effort by design: marking read in the gateway never fails because of them. When the
 * connection is not {@code ready} or WhatsApp refuses, none are sent and the answer says 0
 * (docs/decisions.md, "Read receipts follow the unread count").
 */
@Component
class ReadReceipts {

    private static final Logger log = LoggerFactory.getLogger(ReadReceipts.class);
    /** The engine's limit per command. */
    static final int MAX_KEYS = 1000;

    private final ChatRepository chats;
    private final ConnectionRepository connections;
    private final ConnectionSettingsService settings;
    private final ChatCommands engine;

    ReadReceipts(ChatRepository chats, ConnectionRepository connections, ConnectionSettingsService settings, ChatCommands engine) {
        this.chats = chats;
        this.connections = connections;
        this.settings = settings;
        this.engine = engine;
    }

    /** Sends receipts for the newest {@code unread} contact messages of the chat; answers how many WhatsApp took. */
    int send(String connectionId, String chatJid, int unread) {
        if (unread <= 0 || !settings.current(connectionId).sendReadReceipts()) {
            return 0;
        }
        boolean ready = connections.find(connectionId).map(c -> c.status() == ConnectionStatus.READY).orElse(false);
        if (!ready) {
            log.info("[{}] chat read while not connected: no read receipts sent", connectionId);
            return 0;
        }
        boolean group = chatJid.endsWith("@g.us");
        List<ChatCommands.ReadKey> keys = chats.newestInbound(connectionId, chatJid, Math.min(unread, MAX_KEYS)).stream()
                .map(k -> new ChatCommands.ReadKey(k.providerMessageId(), chatJid, group ? k.fromJid() : null))
                .filter(k -> !group || k.participant() != null)
                .toList();
        if (keys.isEmpty()) {
            return 0;
        }
        try {
            return engine.readMessages(connectionId, keys).join();
        } catch (CompletionException e) {
            log.warn("[{}] read receipts not sent: {}", connectionId, EngineException.of(e.getCause()).getMessage());
            return 0;
        }
    }
}
