package com.wagateway.controllers;

import com.wagateway.config.GatewayProperties;
import com.wagateway.realtime.RealtimeServer;
import com.wagateway.realtime.RealtimeTokens;
import com.wagateway.domain.Caller;
import com.wagateway.services.ApiException;
import java.time.Instant;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Hands out Socket.IO handshake tokens to logged-in dashboards and API clients. */
@RestController
@RequestMapping("/api/realtime")
public class RealtimeController {

    /**
     * @param token     single-use secret for {@code io(url + namespace, {auth: {token}})}
     * @param expiresAt the token is refused from this instant on
     * @param url       where to connect when a proxy serves Socket.IO elsewhere; null = same host, {@code port}
     * @param namespace always {@code /realtime}
     * @param port      the Socket.IO server's port
     */
    public record TokenResponse(@com.wagateway.wire.NeverNull String token, @com.wagateway.wire.NeverNull Instant expiresAt, String url, @com.wagateway.wire.NeverNull String namespace, int port) {
    }

    private final RealtimeTokens tokens;
    private final RealtimeServer server;
    private final GatewayProperties.Realtime cfg;

    public RealtimeController(RealtimeTokens tokens, RealtimeServer server, GatewayProperties props) {
        this.tokens = tokens;
        this.server = server;
        this.cfg = props.realtime();
    }

    /** A fresh token for the caller (valid once, for {@code SOCKETIO_TOKEN_TTL}); 503 when realtime is off. */
    @PostMapping("/token")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "503", description = "realtime_unavailable: the Socket.IO server is not running")
    TokenResponse token(@AuthenticationPrincipal Caller caller) {
        if (!server.isRunning()) {
            throw new RealtimeUnavailable();
        }
        RealtimeTokens.Issued t = tokens.issue(caller);
        String url = cfg.publicUrl().isBlank() ? null : cfg.publicUrl();
        return new TokenResponse(t.token(), t.expiresAt(), url, RealtimeServer.NAMESPACE, server.port());
    }

    /** 503: the Socket.IO server is disabled or not running; the dashboard falls back to polling. */
    static final class RealtimeUnavailable extends ApiException {
        RealtimeUnavailable() {
            super(503, "realtime_unavailable", "the realtime server is not running", null);
        }
    }
}
