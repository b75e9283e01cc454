package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.whatsapp.EngineRequestHandler;
import org.springframework.stereotype.Component;

/**
 * Answers Baileys' {@code getMessage} (a recipient's retry receipt asks us to re-encrypt one of our
 * messages) from the content stored in PostgreSQL, so retries work after a restart too — not
 * only from Baileys' in-memory cache. The key's chat may be in LID form, so the lookup is by
 * WhatsApp id on that connection.
 */
@Component
public class StoredContentRequests implements EngineRequestHandler {

    private final MessageRepository messages;

    public StoredContentRequests(MessageRepository messages) {
        this.messages = messages;
    }

    /** The stored content JSON of WhatsApp message {@code messageId} on this connection, or null. */
    @Override
    public String storedContent(String connectionId, String messageId) {
        return messages.findContent(connectionId, messageId).orElse(null);
    }
}
