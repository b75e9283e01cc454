package com.wagateway.controllers;

import com.wagateway.config.GatewayProperties;
import com.wagateway.realtime.RealtimeServer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What the dashboard needs to know about this gateway to draw itself (logged-in callers only). */
@RestController
public class InfoController {

    /**
     * @param engineMode      {@code baileys} or {@code sandbox} (the dashboard shows the simulated phone in sandbox)
     * @param realtimeEnabled whether {@code POST /api/realtime/token} can succeed
     */
    public record Info(@com.wagateway.wire.NeverNull String engineMode, boolean realtimeEnabled) {
    }

    private final GatewayProperties props;
    private final RealtimeServer realtime;

    public InfoController(GatewayProperties props, RealtimeServer realtime) {
        this.props = props;
        this.realtime = realtime;
    }

    @GetMapping("/api/info")
    Info info() {
        return new Info(props.engine().isSandbox() ? "sandbox" : "baileys", realtime.isRunning());
    }
}
