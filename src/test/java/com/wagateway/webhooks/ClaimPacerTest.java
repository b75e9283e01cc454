package com.wagateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The claimer's pacing: a connection claimed with a partial batch rests; nobody else waits. */
class ClaimPacerTest {

    private static final long MS = 1_000_000L;
    private final ClaimPacer pacer = new ClaimPacer(Duration.ofMillis(50));

    @Test
    void nobodyRestsBeforeBeingClaimed() {
        assertThat(pacer.resting(123 * MS)).isEmpty();
        assertThat(pacer.untilFirstRestEnds(123 * MS)).isEqualTo(-1);
    }

    @Test
    void aConnectionClaimedWithAPartialBatchRestsForTheIntervalFromItsClaim() {
        pacer.claimed("a", false, 1_000 * MS);
        pacer.claimed("b", false, 1_020 * MS);
        assertThat(pacer.resting(1_010 * MS)).containsExactlyInAnyOrder("a", "b");
        assertThat(pacer.untilFirstRestEnds(1_010 * MS)).isEqualTo(40 * MS);
        assertThat(pacer.resting(1_050 * MS)).containsExactly("b");
        assertThat(pacer.untilFirstRestEnds(1_050 * MS)).isEqualTo(20 * MS);
        assertThat(pacer.resting(1_070 * MS)).isEmpty();
        assertThat(pacer.untilFirstRestEnds(1_070 * MS)).isEqualTo(-1);
    }

    @Test
    void aSignalNeedsARoundUnlessEveryConnectionItNamesIsResting() {
        pacer.claimed("a", false, 1_000 * MS);
        pacer.claimed("b", false, 1_000 * MS);
        assertThat(pacer.allResting(java.util.List.of("a", "b"), 1_010 * MS)).isTrue();
        assertThat(pacer.allResting(java.util.List.of("a", "c"), 1_010 * MS)).isFalse();
        assertThat(pacer.allResting(java.util.List.of("a"), 1_050 * MS)).isFalse(); // its rest has ended
    }

    @Test
    void aConnectionWhoseClaimTookAWholeBatchIsClaimedAgainAtOnce() {
        pacer.claimed("a", false, 1_000 * MS);
        pacer.claimed("a", true, 1_001 * MS); // e.g. taken over after a rest: a backlog is due
        assertThat(pacer.resting(1_002 * MS)).isEmpty();
    }

    @Test
    void aZeroIntervalNeverHoldsAnyoneBack() {
        ClaimPacer none = new ClaimPacer(Duration.ZERO);
        none.claimed("a", false, 1_000 * MS);
        assertThat(none.resting(1_000 * MS)).isEmpty();
        assertThat(none.untilFirstRestEnds(1_000 * MS)).isEqualTo(-1);
    }
}
