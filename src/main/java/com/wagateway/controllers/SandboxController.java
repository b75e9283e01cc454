package com.wagateway.controllers;

import com.wagateway.controllers.dto.SandboxRequests;
import com.wagateway.services.SandboxPhone;
import java.util.Map;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import com.wagateway.domain.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The simulated phone and network, only when {@code WA_ENGINE=sandbox} (otherwise these routes
 * do not exist and answer 404 like any unknown route).
 */
@RestController
@RequestMapping("/api/sandbox/{connection_id}")
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxController {

    private final SandboxPhone phone;

    public SandboxController(SandboxPhone phone) {
        this.phone = phone;
    }

    /** The simulated phone scans the showing QR: the connection goes authenticated, then ready. */
    @PostMapping("/scan")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "no_qr_showing")
    Map<String, Object> scan(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id, @RequestBody SandboxRequests.Scan body) {
        return phone.scan(id, body.phone(), body.name(), caller);
    }

    /** The simulated server closes the socket with a Baileys DisconnectReason code. */
    @PostMapping("/drop")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "not_connected")
    Map<String, Object> drop(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id, @RequestBody SandboxRequests.Drop body) {
        return phone.drop(id, body.code(), caller);
    }

    /** A contact sends a message to this connection (stored, webhook, realtime — like a real one). */
    @PostMapping("/inbound")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated phone refused (sandbox_*)")
    Map<String, Object> inbound(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                @RequestBody SandboxRequests.Inbound body) {
        return phone.inbound(id, body, caller);
    }

    /** The recipient's phone sends a delivered/read/played receipt for one of our messages. */
    @PostMapping("/receipt")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the simulated phone refused (sandbox_*)")
    Map<String, Object> receipt(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                @RequestBody SandboxRequests.Receipt body) {
        return phone.receipt(id, body, caller);
    }

    /** The next sends fail with a status code (to watch the retry logic). */
    @PostMapping("/fail")
    Map<String, Object> fail(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                             @RequestBody SandboxRequests.Fail body) {
        return phone.fail(id, body, caller);
    }
}
