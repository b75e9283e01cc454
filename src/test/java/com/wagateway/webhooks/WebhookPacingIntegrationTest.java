package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.WebhookReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 18: under a steady stream a connection's events go out several per claim
 * ({@link ClaimPacer}, WEBHOOK_CLAIM_INTERVAL = 50 ms by default), in order, and none is lost.
 * The check is the pacer's own invariant: consecutive partial claims of one connection are at
 * least the interval apart, so over the stream's whole span there can be no more than
 * span / interval + 1 of them, plus one per whole batch. Without pacing nearly every event of
 * this stream (one per 10 ms, each delivered in a few milliseconds) had a claim of its own: 97
 * claims for 100 events, against 21 with it. And the outcomes of such claims are recorded several
 * per transaction.
 */
class WebhookPacingIntegrationTest extends WebhookIntegrationBase {

    @Test
    void aSteadyStreamGoesOutSeveralEventsPerClaimInOrder() {
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            create("wh_pace"); // the only connection with a webhook in this gateway: every claim is its own
            putWebhook("wh_pace", rx.url(), List.of("message.received"));
            // warm-up: the HTTP client's connection and the delivery path's code, so each later claim is quick
            enqueue("wh_pace", 200);
            rx.await(l -> l.size() >= 200, Duration.ofSeconds(30));
            rx.clear();
            var claims = gw.bean(MeterRegistry.class).counter("webhook.claims");
            double before = claims.count();
            TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
            WebhookOutbox outbox = gw.bean(WebhookOutbox.class);
            int events = 100;
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                long due = start + i * 10_000_000L;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                int seq = i;
                tx.executeWithoutResult(s -> outbox.enqueue(List.of(event("wh_pace", "message.received", seq))));
            }
            List<WebhookReceiver.Received> got = rx.await(l -> l.size() >= events, Duration.ofSeconds(20));
            long spanMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(got).hasSize(events);
            assertThat(got.stream().map(r -> r.json().path("seq").asInt()).toList())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, events).boxed().toList());
            double made = claims.count() - before;
            long wholeBatches = events / 20;
            assertThat(made).as("claims for %d events over %d ms", events, spanMs)
                    .isPositive().isLessThanOrEqualTo(spanMs / 50.0 + 1 + wholeBatches);
        }
    }

    /**
     * Resting connections' outcomes share a transaction: eight connections, each with an event
     * every 40 ms and each 5 ms after the previous one, so their claims finish at different
     * moments. Each outcome may wait half its connection's rest (25 ms) for others, so a record
     * carries several claims: 84 records for 252 claims, against 133 for 242 when each was
     * recorded as soon as it finished.
     */
    @Test
    void theOutcomesOfRestingConnectionsAreRecordedTogether() {
        List<String> ids = java.util.stream.IntStream.range(0, 8).mapToObj(k -> "wh_rec_" + k).toList();
        try (WebhookReceiver rx = WebhookReceiver.up()) {
            for (String id : ids) {
                create(id);
                putWebhook(id, rx.url(), List.of("message.received"));
                enqueue(id, 25); // warm-up
            }
            rx.await(l -> l.size() >= 200, Duration.ofSeconds(30));
            ids.forEach(WebhookIntegrationBase::awaitNothingPending);
            rx.clear();
            MeterRegistry registry = gw.bean(MeterRegistry.class);
            double claimsBefore = registry.counter("webhook.claims").count();
            double recordsBefore = registry.counter("webhook.records").count();
            TransactionTemplate tx = new TransactionTemplate(gw.bean(PlatformTransactionManager.class));
            WebhookOutbox outbox = gw.bean(WebhookOutbox.class);
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                for (int k = 0; k < ids.size(); k++) {
                    long due = start + (i * 40L + k * 5L) * 1_000_000L;
                    while (System.nanoTime() < due) {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                    String id = ids.get(k);
                    int seq = i;
                    tx.executeWithoutResult(s -> outbox.enqueue(List.of(event(id, "message.received", seq))));
                }
            }
            rx.await(l -> l.size() >= 320, Duration.ofSeconds(30));
            ids.forEach(WebhookIntegrationBase::awaitNothingPending);
            double claims = registry.counter("webhook.claims").count() - claimsBefore;
            double records = registry.counter("webhook.records").count() - recordsBefore;

            assertThat(rx.accepted()).hasSize(320);
            assertThat(records).as("%s records for %s claims", records, claims).isPositive().isLessThanOrEqualTo(claims * 0.45);
            ids.forEach(id -> assertThat(gw.delete("/api/connections/" + id + "/webhook").status()).isEqualTo(200));
        }
    }
}
