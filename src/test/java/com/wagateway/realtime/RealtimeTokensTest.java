package com.wagateway.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.domain.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RealtimeTokensTest {

    static final Caller ALICE = new Caller(UUID.randomUUID(), "alice@example.com", Caller.Role.USER);

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-21T05:40:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aTokenWorksOnceForItsCaller() {
        RealtimeTokens tokens = new RealtimeTokens(Duration.ofSeconds(60), Clock.systemUTC());
        RealtimeTokens.Issued t = tokens.issue(ALICE);
        assertThat(t.token()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(tokens.consume(t.token())).contains(ALICE);
        assertThat(tokens.consume(t.token())).isEmpty();
    }

    @Test
    void unknownEmptyAndOversizedTokensAreRefused() {
        RealtimeTokens tokens = new RealtimeTokens(Duration.ofSeconds(60), Clock.systemUTC());
        tokens.issue(ALICE);
        assertThat(tokens.consume("garbage")).isEmpty();
        assertThat(tokens.consume("")).isEmpty();
        assertThat(tokens.consume(null)).isEmpty();
        assertThat(tokens.consume("x".repeat(500))).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefusedAndPurged() {
        ManualClock clock = new ManualClock();
        RealtimeTokens tokens = new RealtimeTokens(Duration.ofSeconds(60), clock);
        RealtimeTokens.Issued used = tokens.issue(ALICE);
        tokens.issue(ALICE);
        assertThat(used.expiresAt()).isEqualTo(clock.now.plusSeconds(60));
        clock.now = clock.now.plusSeconds(60);
        assertThat(tokens.consume(used.token())).isEmpty();
        assertThat(tokens.size()).isEqualTo(1);
        tokens.purgeExpired();
        assertThat(tokens.size()).isZero();
    }
}
