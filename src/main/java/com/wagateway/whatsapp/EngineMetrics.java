package com.wagateway.whatsapp;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * Gauges per engine process, tagged {@code process=<index>}: {@code gateway.engine.process.up}
 * (1 or 0), {@code gateway.engine.process.restarts} and {@code gateway.engine.process.connections}
 * (on {@code /actuator/prometheus} as {@code gateway_engine_process_up} etc.). They read the
 * supervisor's state when scraped, so they never lag behind it.
 */
@Component
public class EngineMetrics {

    public EngineMetrics(EngineSupervisor supervisor, MeterRegistry meters) {
        for (int i = 0; i < supervisor.processCount(); i++) {
            int index = i;
            gauge(meters, supervisor, index, "gateway.engine.process.up", "1 while the engine process runs",
                    p -> p.up() ? 1 : 0);
            gauge(meters, supervisor, index, "gateway.engine.process.restarts", "restarts after its first start",
                    EngineProcessState::restarts);
            gauge(meters, supervisor, index, "gateway.engine.process.connections", "connections whose socket it holds",
                    EngineProcessState::connections);
        }
    }

    private static void gauge(MeterRegistry meters, EngineSupervisor supervisor, int index, String name, String help,
                              ToDoubleFunction<EngineProcessState> value) {
        Gauge.builder(name, supervisor, s -> value.applyAsDouble(s.processes().get(index)))
                .description(help)
                .tag("process", Integer.toString(index))
                .register(meters);
    }
}
