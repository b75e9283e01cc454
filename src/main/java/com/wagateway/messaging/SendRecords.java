package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRepository.SentUpdate;
import com.wagateway.database.MessageRow;
import com.wagateway.webhooks.WebhookOutbox;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How {@link SendDispatcher} writes a send's end: the new status together with its webhook event,
 * in one transaction, then {@code finished} (realtime event, waiting API calls) only after the
 * commit.
 */
final class SendRecords {

    private static final Logger log = LoggerFactory.getLogger(SendRecords.class);

    private final MessageRepository messages;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final BiConsumer<String, MessageRow> finished;

    SendRecords(MessageRepository messages, WebhookOutbox outbox, TransactionTemplate tx, BiConsumer<String, MessageRow> finished) {
        this.messages = messages;
        this.outbox = outbox;
        this.tx = tx;
        this.finished = finished;
    }

    /**
     * WhatsApp accepted these: {@code sent} with their {@code message.sent} webhooks, in one
     * statement and one commit for all of them, then the waiting API calls are answered. A failed
     * commit is tried once more: a message left {@code queued} would be sent again (with the same
     * WhatsApp id, so WhatsApp keeps one, but still a repeat worth avoiding).
     */
    void sent(String connectionId, List<SentUpdate> sent) {
        if (sent.isEmpty()) {
            return;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                List<MessageRow> rows = tx.execute(s -> {
                    List<MessageRow> r = messages.markSent(sent);
                    outbox.enqueue(r.stream().map(WebhookPayloads::sent).toList());
                    return r;
                });
                rows.forEach(r -> finished.accept(connectionId, r));
                return;
            } catch (RuntimeException e) {
                log.warn("[{}] could not record {} sent messages (attempt {}): {}", connectionId, sent.size(), attempt,
                        e.toString());
            }
        }
    }

    /** Ends a message as failed with its webhook event, in one transaction; {@code attempted}: count the attempt. */
    void failed(String connectionId, UUID id, String reason, boolean attempted) {
        Optional<MessageRow> row = tx.execute(s -> {
            Optional<MessageRow> r = messages.markFailed(id, reason, attempted);
            r.ifPresent(x -> outbox.enqueue(List.of(WebhookPayloads.status(x))));
            return r;
        });
        row.ifPresent(r -> finished.accept(connectionId, r));
    }
}
