package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The spread of connections over engine processes: the documented function, stable and even. */
class EngineShareTest {

    @Test
    void theProcessIsCrc32OfTheIdModuloTheCount() {
        // "123456789" is CRC-32's published check input; its CRC is 0xCBF43926 = 3421780262
        for (int n = 1; n <= 9; n++) {
            assertThat(EngineShare.indexOf("123456789", n)).as("of %d", n).isEqualTo((int) (3421780262L % n));
        }
    }

    @Test
    void oneProcessTakesEverything() {
        assertThat(EngineShare.indexOf("anything", 1)).isZero();
        assertThat(EngineShare.ALL.contains("anything")).isTrue();
    }

    @Test
    void connectionsSpreadEvenlyAndEachBelongsToExactlyOneShare() {
        int processes = 4;
        int[] counts = new int[processes];
        for (int i = 0; i < 4000; i++) {
            String id = "conn_" + i;
            int owners = 0;
            for (int p = 0; p < processes; p++) {
                if (new EngineShare(p, processes).contains(id)) {
                    owners++;
                    counts[p]++;
                }
            }
            assertThat(owners).as(id).isEqualTo(1);
        }
        for (int c : counts) {
            assertThat(c).isBetween(850, 1150);
        }
    }

    @Test
    void aShareOutsideThePoolIsRefused() {
        assertThatThrownBy(() -> new EngineShare(2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EngineShare(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
