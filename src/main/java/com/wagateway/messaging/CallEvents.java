package com.wagateway.messaging;

import com.wagateway.database.ConnectionRepository;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.domain.Caller;
import com.wagateway.services.ConnectionSettingsService;
import com.wagateway.shared.Threads;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import com.wagateway.wire.NeverNull;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Incoming calls (issue 16 part 5). The engine has already rejected the call when the
 * connection's {@code reject_calls} is on (it must answer at once); here each offer becomes a
 * {@code call} webhook (durable, in the outbox), a realtime {@code call} event after that, and —
 * for a rejected call with {@code call_reply_text} set — a text message to the caller through the
 * normal send path (stored, queued, paced, idempotent on {@code call-reply-<call id>}, so a
 * repeated event never sends the reply twice).
 *
 * <p>The reply is sent on its own thread: the engine's event thread must never wait for WhatsApp.
 */
@Service
public class CallEvents implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(CallEvents.class);

    /** The realtime {@code call} payload (and the event published after the webhook is stored). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "CallEvent")
    public record CallView(@NeverNull String connectionId, @NeverNull String callId, String from, String fromJid,
                           @NeverNull String media, boolean rejected, boolean offline, @NeverNull String timestamp) {
    }

    private final WebhookOutbox outbox;
    private final Publisher events;
    private final ConnectionSettingsService settings;
    private final ConnectionRepository connections;
    private final SendService send;
    private final ExecutorService replies = Executors.newSingleThreadExecutor(Threads.named("call-replies"));

    public CallEvents(WebhookOutbox outbox, Publisher events, ConnectionSettingsService settings, ConnectionRepository connections,
                      SendService send) {
        this.outbox = outbox;
        this.events = events;
        this.settings = settings;
        this.connections = connections;
        this.send = send;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (!(event instanceof EngineEvent.CallReceived c) || c.callId() == null) {
            return;
        }
        CallView view = new CallView(c.connectionId(), c.callId(), c.fromPhone(), c.from(), c.video() ? "video" : "voice",
                c.rejected(), c.offline(), (c.at() != null ? c.at() : Instant.now()).toString());
        try {
            outbox.enqueue(List.of(webhook(view)));
        } catch (RuntimeException e) {
            if (DatabaseUnavailable.isCause(e)) {
                throw e; // the dispatcher holds the event and calls again
            }
            log.warn("[{}] call webhook not stored: {}", c.connectionId(), e.getMessage());
            return;
        }
        events.publish(view);
        log.info("[{}] incoming {} call {}, rejected {}", c.connectionId(), view.media(), c.callId(), c.rejected());
        String text = c.rejected() ? settings.current(c.connectionId()).callReplyText() : null;
        String to = c.fromPhone() != null ? c.fromPhone() : c.from();
        if (text != null && to != null) {
            replies.execute(() -> reply(c.connectionId(), c.callId(), to, text));
        }
    }

    /** Sends the auto-reply as the connection's owner; a refusal is logged (the call webhook already went out). */
    private void reply(String connectionId, String callId, String to, String text) {
        try {
            connections.find(connectionId).ifPresent(row -> {
                Caller owner = new Caller(row.ownerId(), "call-reply", Caller.Role.USER);
                send.sendText(owner, connectionId, to, text, "call-reply-" + callId, null);
            });
        } catch (RuntimeException e) {
            log.warn("[{}] reply to rejected call {} not sent: {}", connectionId, callId, e.getMessage());
        }
    }

    /** The {@code call} webhook body (README "Webhooks"). */
    static WebhookEvent webhook(CallView v) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.CALL);
        p.put("connection_id", v.connectionId());
        p.put("call_id", v.callId());
        p.put("from", v.from());
        p.put("from_jid", v.fromJid());
        p.put("media", v.media());
        p.put("status", "offer");
        p.put("rejected", v.rejected());
        p.put("offline", v.offline());
        p.put("timestamp", v.timestamp());
        return new WebhookEvent(v.connectionId(), WebhookEventTypes.CALL, p);
    }

    @PreDestroy
    void stop() {
        replies.shutdown();
    }
}
