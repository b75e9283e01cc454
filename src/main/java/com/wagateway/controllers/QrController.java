package com.wagateway.controllers;

import com.wagateway.wire.QrResponse;
import com.wagateway.services.ConnectionService;
import com.wagateway.domain.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The first seed's QR endpoint, exactly as written there. */
@RestController
public class QrController {

    private final ConnectionService connections;

    public QrController(ConnectionService connections) {
        this.connections = connections;
    }

    /**
     * {@code GET /api/get-qr/{connection_id}}: creates the connection if needed, starts its
     * client, waits briefly for the first QR and returns it ({@code qr}/{@code qr_image} are null
     * once linked).
     */
    @GetMapping("/api/get-qr/{connection_id}")
    QrResponse getQr(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String connectionId) {
        return QrResponse.from(connections.connectAndAwaitQr(connectionId, caller));
    }
}
