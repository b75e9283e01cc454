package com.wagateway.services;

import com.wagateway.database.ConnectionRow;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookOutbox;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a connection status write (a {@code ConnectionRepository.mark*} call) and queues its
 * {@code connection.status} webhook event in the same transaction, so a committed status always
 * has its event and a failed write has none. Callers publish {@code ConnectionStatusChanged}
 * after this returns, i.e. after the commit, as before.
 */
@Component
public class StatusWrites {

    private final TransactionTemplate tx;
    private final WebhookOutbox outbox;

    public StatusWrites(PlatformTransactionManager txManager, WebhookOutbox outbox) {
        this.tx = new TransactionTemplate(txManager);
        this.outbox = outbox;
    }

    /** One status write and its event (none when the row does not exist). */
    public Optional<ConnectionRow> write(Supplier<Optional<ConnectionRow>> change) {
        return tx.execute(s -> {
            Optional<ConnectionRow> row = change.get();
            row.ifPresent(r -> outbox.enqueue(List.of(event(r))));
            return row;
        });
    }

    /** A write of many rows (e.g. every running connection after an engine crash) and their events, batched. */
    public List<ConnectionRow> writeAll(Supplier<List<ConnectionRow>> change) {
        return tx.execute(s -> {
            List<ConnectionRow> rows = change.get();
            outbox.enqueue(rows.stream().map(StatusWrites::event).toList());
            return rows;
        });
    }

    /** {@code {"event":"connection.status","connection_id","status","reason","phone","timestamp"}}. */
    static WebhookEvent event(ConnectionRow r) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.CONNECTION_STATUS);
        p.put("connection_id", r.connectionId());
        p.put("status", r.status().wire());
        p.put("reason", r.reason());
        p.put("phone", r.phone());
        p.put("timestamp", r.statusChangedAt() == null ? null : r.statusChangedAt().toString());
        return new WebhookEvent(r.connectionId(), WebhookEventTypes.CONNECTION_STATUS, p);
    }
}
