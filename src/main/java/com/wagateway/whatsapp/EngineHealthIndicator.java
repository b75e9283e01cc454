package com.wagateway.whatsapp;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/** {@code /actuator/health} component "engine": UP with mode, versions and pid while the engine runs. */
@Component("engine")
public class EngineHealthIndicator extends AbstractHealthIndicator {

    private final EngineSupervisor supervisor;

    public EngineHealthIndicator(EngineSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        EngineInfo info = supervisor.info();
        if (info == null) {
            builder.down().withDetail("reason", "engine process not running (restarting)");
            return;
        }
        builder.up()
                .withDetail("mode", info.mode())
                .withDetail("engine", info.version())
                .withDetail("baileys", info.baileys())
                .withDetail("pid", supervisor.pid());
    }
}
