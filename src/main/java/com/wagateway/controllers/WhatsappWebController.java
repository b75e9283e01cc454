package com.wagateway.controllers;

import com.wagateway.controllers.dto.ConnectionIdRequest;
import com.wagateway.wire.ConnectionView;
import com.wagateway.wire.QrResponse;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import com.wagateway.services.ConnectionService;
import java.util.List;
import com.wagateway.domain.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The connection-flow seed's endpoints ({@code /api/whatsapp-web/*}), kept as that seed names them. */
@RestController
@RequestMapping("/api/whatsapp-web")
public class WhatsappWebController {

    private final ConnectionService connections;

    public WhatsappWebController(ConnectionService connections) {
        this.connections = connections;
    }

    /** Starts the client ({@code {"tenantId":"..."}} or {@code {"connection_id":"..."}}); the UI then polls the QR. */
    @PostMapping("/connect")
    ConnectionView connect(@AuthenticationPrincipal Caller caller, @RequestBody ConnectionIdRequest body) {
        return ConnectionView.from(connections.connect(body.connectionId(), caller));
    }

    /** The QR currently showing (null when none), with the status. */
    @GetMapping("/qr/{id}")
    QrResponse qr(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return QrResponse.from(connections.get(id, caller));
    }

    /** Status, phone, connected_at, reason and reconnect progress. */
    @GetMapping("/status/{id}")
    ConnectionView status(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return ConnectionView.from(connections.get(id, caller));
    }

    /** Closes the socket and keeps the session (connect again needs no QR). */
    @PostMapping("/disconnect")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "no such connection")
    ConnectionView disconnect(@AuthenticationPrincipal Caller caller, @RequestBody ConnectionIdRequest body) {
        return ConnectionView.from(connections.disconnect(body.connectionId(), caller));
    }

    /** Every connection (the seed marks this admin; ownership filtering comes with accounts). */
    @GetMapping("/connections")
    List<ConnectionView> list(@AuthenticationPrincipal Caller caller) {
        return connections.list(caller).stream().map(ConnectionView::from).toList();
    }
}
