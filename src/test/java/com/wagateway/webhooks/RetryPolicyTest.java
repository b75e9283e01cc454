package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofHours(24),
            RandomGenerator.of("L64X128MixRandom"));

    @Test
    void classifiesAnswers() {
        assertThat(RetryPolicy.classify(200)).isEqualTo(RetryPolicy.Outcome.DELIVERED);
        assertThat(RetryPolicy.classify(204)).isEqualTo(RetryPolicy.Outcome.DELIVERED);
        assertThat(RetryPolicy.classify(null)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(500)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(503)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(408)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(429)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(400)).isEqualTo(RetryPolicy.Outcome.FAIL);
        assertThat(RetryPolicy.classify(404)).isEqualTo(RetryPolicy.Outcome.FAIL);
        assertThat(RetryPolicy.classify(410)).isEqualTo(RetryPolicy.Outcome.FAIL);
        assertThat(RetryPolicy.classify(301)).as("redirects are not followed").isEqualTo(RetryPolicy.Outcome.FAIL);
    }

    @Test
    void backoffDoublesWithEqualJitterUpToTheCap() {
        for (int i = 0; i < 200; i++) {
            assertThat(policy.backoff(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
            assertThat(policy.backoff(2)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            assertThat(policy.backoff(4)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
            assertThat(policy.backoff(7)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
            assertThat(policy.backoff(1000)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
        }
    }

    @Test
    void jitterSpreadsRetries() {
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> policy.backoff(5)).distinct().count())
                .isGreaterThan(10);
    }

    @Test
    void retryAfterSecondsAndHttpDate() {
        Instant now = Instant.parse("2026-11-21T05:40:00Z");
        assertThat(RetryPolicy.parseRetryAfter("2", now)).contains(Duration.ofSeconds(2));
        assertThat(RetryPolicy.parseRetryAfter(" 120 ", now)).contains(Duration.ofSeconds(120));
        assertThat(RetryPolicy.parseRetryAfter("Sat, 21 Nov 2026 05:40:30 GMT", now)).contains(Duration.ofSeconds(30));
        assertThat(RetryPolicy.parseRetryAfter("Sat, 21 Nov 2026 05:39:00 GMT", now)).as("past date: now")
                .contains(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("-5", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter(null, now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("99999999999999999999999", now)).isEmpty();
    }

    @Test
    void retryAfterReplacesTheBackoffExactlyButNotBeyondTheRetryAge() {
        assertThat(policy.delay(1, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(9, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(1, Optional.of(Duration.ofDays(3)))).isEqualTo(Duration.ofHours(24));
        assertThat(policy.delay(1, Optional.empty())).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    @Test
    void expiresAfterTheRetryAge() {
        Instant since = Instant.parse("2026-11-20T00:00:00Z");
        assertThat(policy.expired(since, since.plus(Duration.ofHours(23)))).isFalse();
        assertThat(policy.expired(since, since.plus(Duration.ofHours(24)).plusSeconds(1))).isTrue();
    }
}
