package com.wagateway.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final RandomGenerator RANDOM = new SplittableRandom(7);

    @Test
    void doublesFromTheBaseAndStopsAtTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(n -> b.delay(n, RANDOM).toSeconds()).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
        assertThat(b.delay(0, RANDOM)).as("attempt below 1 counts as the first").isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(Integer.MAX_VALUE, RANDOM)).as("no overflow").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterDrawsFromTheTopFractionAndNeverExceedsTheCeiling() {
        Backoff b = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5), 0.25);
        for (int n = 1; n <= 12; n++) {
            Duration ceiling = b.ceiling(n);
            for (int i = 0; i < 200; i++) {
                Duration d = b.delay(n, RANDOM);
                assertThat(d).isLessThanOrEqualTo(ceiling).isGreaterThanOrEqualTo(ceiling.multipliedBy(3).dividedBy(4));
            }
        }
        assertThat(b.ceiling(30)).isEqualTo(Duration.ofMinutes(5));
        Backoff equal = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), Backoff.EQUAL_JITTER);
        assertThat(IntStream.range(0, 100).mapToObj(i -> equal.delay(5, RANDOM)).distinct().count())
                .as("waits spread out").isGreaterThan(20);
        assertThat(IntStream.range(0, 100).mapToObj(i -> equal.delay(5, RANDOM)))
                .allMatch(d -> d.compareTo(Duration.ofSeconds(8)) >= 0 && d.compareTo(Duration.ofSeconds(16)) <= 0);
    }

    @Test
    void refusesNegativeWaitsAndJitterOutsideZeroToOne() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(-1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
