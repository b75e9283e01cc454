package com.wagateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code ENGINE_PROCESSES}: 0 means one per core (one in sandbox mode); out-of-range values stop the start. */
class EngineProcessesSettingTest {

    private static GatewayProperties.Engine engine(String mode, int processes) {
        Duration d = Duration.ofSeconds(1);
        return new GatewayProperties.Engine(mode, Path.of("whatsapp"), "node", "info", null, d, d, d, processes,
                new GatewayProperties.Sandbox(d, d, 3, null));
    }

    @Test
    void zeroMeansOnePerCoreInBaileysModeAndOneInSandboxMode() {
        assertThat(engine("baileys", 0).processCount()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
        assertThat(engine("sandbox", 0).processCount()).isEqualTo(1);
    }

    @Test
    void anExplicitCountIsUsedInBothModes() {
        assertThat(engine("baileys", 3).processCount()).isEqualTo(3);
        assertThat(engine("sandbox", 2).processCount()).isEqualTo(2);
    }

    @Test
    void outOfRangeCountsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> engine("baileys", -1).processCount()).hasMessageContaining("ENGINE_PROCESSES");
        assertThatThrownBy(() -> engine("baileys", GatewayProperties.Engine.MAX_PROCESSES + 1).processCount())
                .hasMessageContaining("ENGINE_PROCESSES");
    }
}
