package com.wagateway.controllers;

import com.wagateway.wire.ConnectionView;
import com.wagateway.controllers.dto.WebhookDtos;
import com.wagateway.webhooks.WebhookService;
import com.wagateway.services.ConnectionService;
import java.util.List;
import com.wagateway.controllers.dto.Answers;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpStatus;
import com.wagateway.domain.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Resource-style connection endpoints for the dashboard and integrators. */
@RestController
@RequestMapping("/api/connections")
public class ConnectionController {

    private final ConnectionService connections;
    private final WebhookService webhooks;

    public ConnectionController(ConnectionService connections, WebhookService webhooks) {
        this.connections = connections;
        this.webhooks = webhooks;
    }

    @GetMapping
    List<ConnectionView> list(@AuthenticationPrincipal Caller caller) {
        return connections.list(caller).stream().map(ConnectionView::from).toList();
    }

    /**
     * Creates a stopped connection; 409 if the id is taken. With {@code webhook_url} (and
     * optionally {@code webhook_events}) its webhook is set too and {@code webhook_secret} is
     * returned this once.
     */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @ApiResponse(responseCode = "409", description = "connection_exists: the id is taken")
    WebhookDtos.ConnectionCreated create(@AuthenticationPrincipal Caller caller, @RequestBody WebhookDtos.CreateConnection body) {
        WebhookService.Created c = webhooks.createConnection(caller, body.connectionId(), body.webhookUrl(), body.webhookEvents());
        return new WebhookDtos.ConnectionCreated(ConnectionView.from(c.connection()), c.webhookSecret());
    }

    @GetMapping("/{id}")
    ConnectionView get(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return ConnectionView.from(connections.get(id, caller));
    }

    @PostMapping("/{id}/connect")
    ConnectionView connect(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        connections.get(id, caller); // this resource endpoint never creates: unknown is 404
        return ConnectionView.from(connections.connect(id, caller));
    }

    @PostMapping("/{id}/disconnect")
    ConnectionView disconnect(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return ConnectionView.from(connections.disconnect(id, caller));
    }

    /** Unlinks the device and removes the session folder. */
    @PostMapping("/{id}/logout")
    ConnectionView logout(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return ConnectionView.from(connections.logout(id, caller));
    }

    /** Removes the connection, its session and its stored messages. */
    @DeleteMapping("/{id}")
    Answers.Deleted delete(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        connections.delete(id, caller);
        return new Answers.Deleted(id, true);
    }
}
