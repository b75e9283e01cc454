package com.wagateway.whatsapp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component "engine": mode and versions, and one entry per engine
 * process ({@code processes}: index, pid, up, restarts, connections).
 *
 * <p>UP only while every process runs: a process restarting means its share of connections has
 * no socket, which is an outage for those accounts even though the others work (the details say
 * which process is down). {@code pid} stays process 0's, as before the pool.
 */
@Component("engine")
public class EngineHealthIndicator extends AbstractHealthIndicator {

    private final EngineSupervisor supervisor;

    public EngineHealthIndicator(EngineSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<EngineProcessState> processes = supervisor.processes();
        long up = processes.stream().filter(EngineProcessState::up).count();
        EngineInfo info = supervisor.info();
        if (up == processes.size() && info != null) {
            builder.up()
                    .withDetail("mode", info.mode())
                    .withDetail("engine", info.version())
                    .withDetail("baileys", info.baileys())
                    .withDetail("pid", supervisor.pid());
        } else {
            builder.down().withDetail("reason", (processes.size() - up) + " of " + processes.size()
                    + " engine process(es) not running (restarting)");
        }
        builder.withDetail("processes", processes.stream().map(EngineHealthIndicator::detail).toList());
    }

    private static Map<String, Object> detail(EngineProcessState p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", p.index());
        m.put("pid", p.pid());
        m.put("up", p.up());
        m.put("restarts", p.restarts());
        m.put("connections", p.connections());
        return m;
    }
}
