package com.wagateway.controllers.dto;

import com.wagateway.wire.NeverNull;
import com.wagateway.wire.ConnectionView;
import com.wagateway.shared.Json;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookRepository;
import com.wagateway.webhooks.WebhookService;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of the webhook endpoints. Secrets appear only where they were just made. */
public final class WebhookDtos {

    private WebhookDtos() {
    }

    /** {@code PUT /api/connections/{id}/webhook}: {@code events} omitted = every event. */
    public record SetWebhook(String url, List<String> events) {
    }

    /** {@code POST /api/connections}: the id, and optionally a webhook. */
    public record CreateConnection(@JsonAlias({"tenantId", "tenant_id", "connectionId"}) String connectionId,
                                   @JsonAlias("webhookUrl") String webhookUrl,
                                   @JsonAlias("webhookEvents") List<String> webhookEvents) {
    }

    /** The creation answer: the connection, plus {@code webhook_secret} once when a webhook was set. */
    public record ConnectionCreated(@JsonUnwrapped ConnectionView connection,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) String webhookSecret) {
    }

    /** Delivery health: event counts by state, the endpoint's last outcomes and its breaker. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "WebhookHealth")
    public record Health(long pending, long retrying, long failed, long delivered, Instant lastSuccessAt,
                         Instant lastFailureAt, int consecutiveFailures, Instant pausedUntil) {
        static Health from(WebhookRepository.Health h) {
            return new Health(h.pending(), h.retrying(), h.failed(), h.delivered(), h.lastSuccessAt(), h.lastFailureAt(),
                    h.consecutiveFailures(), h.pausedUntil() != null && h.pausedUntil().isAfter(Instant.now()) ? h.pausedUntil() : null);
        }
    }

    /**
     * A webhook as shown: URL, the event types it receives (all when no filter is set), health;
     * {@code secret} only in the answer that made it (omitted otherwise).
     */
    public record WebhookView(@NeverNull String connectionId, String url, List<String> events, boolean filtered, boolean secretSet,
                              Health health, @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {
        public static WebhookView from(WebhookService.View v) {
            WebhookRepository.Settings s = v.settings();
            List<String> events = s.url() == null ? List.of() : s.events() == null ? WebhookEventTypes.ALL : s.events();
            return new WebhookView(s.connectionId(), s.url(), events, s.events() != null, s.hasSecret(),
                    Health.from(v.health()), v.newSecret());
        }
    }

    /** One attempt in the log; {@code event_state} is the event's current state. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "WebhookLogEntry")
    public record LogEntry(long id, @NeverNull UUID eventId, @NeverNull String eventType, String url, int attempt, @NeverNull String state, String eventState,
                           Integer responseStatus, String responseBody, Integer latencyMs, String error,
                           Instant nextAttemptAt, boolean test, @NeverNull Instant createdAt, Json.Value requestPayload) {
        static LogEntry from(WebhookRepository.LogRow r) {
            return new LogEntry(r.id(), r.eventId(), r.eventType(), r.url(), r.attempt(), r.state(), r.eventState(),
                    r.responseStatus(), r.responseBody(), r.latencyMs(), r.error(), r.nextAttemptAt(), r.test(),
                    r.createdAt(), Json.Value.parse(r.requestPayload()));
        }
    }

    /** A page of the log; pass {@code next_before} as {@code before} for the next (older) page. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "WebhookLogPage")
    public record LogPage(@NeverNull String connectionId, List<LogEntry> logs, String nextBefore) {
        public static LogPage from(String connectionId, WebhookService.LogPage p) {
            return new LogPage(connectionId, p.rows().stream().map(LogEntry::from).toList(),
                    p.nextBefore() == null ? null : p.nextBefore().toString());
        }
    }

    /** The answer to a redelivery request. */
    public record Redelivery(@NeverNull UUID eventId, @NeverNull String connectionId, @NeverNull String state) {
    }

    /** The receiver's answer to a test event. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "WebhookTestAnswer")
    public record TestAnswer(@NeverNull UUID eventId, @NeverNull String url, boolean delivered, Integer responseStatus, String responseBody,
                             long latencyMs, String error) {
        public static TestAnswer from(WebhookService.TestResult r) {
            return new TestAnswer(r.eventId(), r.url(), r.delivered(), r.responseStatus(), r.responseBody(), r.latencyMs(),
                    r.error());
        }
    }
}
