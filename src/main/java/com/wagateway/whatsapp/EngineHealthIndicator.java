package com.wagateway.whatsapp;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@code /actuator/health} component "engine": UP with mode, versions and pid while the engine runs. */
@Component("engine")
public class EngineHealthIndicator extends AbstractHealthIndicator {

    private final EngineSupervisor supervisor;

    public EngineHealthIndicator(EngineSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        JsonNode info = supervisor.info();
        if (info == null) {
            builder.down().withDetail("reason", "engine process not running (restarting)");
            return;
        }
        builder.up()
                .withDetail("mode", info.path("mode").asString())
                .withDetail("engine", info.path("version").asString())
                .withDetail("baileys", info.path("baileys").asString())
                .withDetail("pid", supervisor.pid());
    }
}
