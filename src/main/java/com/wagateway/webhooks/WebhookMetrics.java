package com.wagateway.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Delivery metrics (Prometheus at {@code /actuator/prometheus}, admin only):
 * {@code webhook_deliveries_total{state="delivered|retrying|failed"}} counts attempt outcomes
 * (expiries count as failed), {@code webhook_delivery_latency_seconds} times attempts that sent
 * a request, {@code webhook_claims_total} counts claims of a connection's due events (attempts
 * over claims = events sent per claim, what {@link ClaimPacer} raises under a steady stream),
 * {@code webhook_records_total} counts the transactions that recorded finished claims (claims over
 * records = claims recorded per transaction).
 */
@Component
public class WebhookMetrics {

    private final Counter delivered;
    private final Counter retrying;
    private final Counter failed;
    private final Timer latency;
    private final Counter claims;
    private final Counter records;

    public WebhookMetrics(MeterRegistry registry) {
        this.delivered = counter(registry, "delivered");
        this.retrying = counter(registry, "retrying");
        this.failed = counter(registry, "failed");
        this.latency = Timer.builder("webhook.delivery.latency")
                .description("Duration of webhook delivery attempts")
                .publishPercentileHistogram()
                .register(registry);
        this.claims = Counter.builder("webhook.claims").description("Claims of a connection's due webhook events")
                .register(registry);
        this.records = Counter.builder("webhook.records").description("Transactions that recorded finished webhook claims")
                .register(registry);
    }

    /** Counts one transaction that records finished claims. */
    void recorded() {
        records.increment();
    }

    /** Counts one claim of a connection's due events. */
    void claimed() {
        claims.increment();
    }

    private static Counter counter(MeterRegistry registry, String state) {
        return Counter.builder("webhook.deliveries").description("Webhook delivery attempts by outcome")
                .tag("state", state).register(registry);
    }

    /** Counts one outcome and, when a request was sent, its latency. */
    void record(String state, Long latencyMs) {
        switch (state) {
            case "delivered" -> delivered.increment();
            case "retrying" -> retrying.increment();
            default -> failed.increment();
        }
        if (latencyMs != null) {
            latency.record(Duration.ofMillis(latencyMs));
        }
    }
}
