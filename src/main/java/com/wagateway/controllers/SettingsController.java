package com.wagateway.controllers;

import com.wagateway.controllers.dto.SettingsDtos;
import com.wagateway.domain.Caller;
import com.wagateway.services.ConnectionSettingsService;
import com.wagateway.services.PresenceService;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Per-connection settings and presence (issue 16, parts 4 and 5). */
@RestController
@RequestMapping("/api/connections/{id}")
public class SettingsController {

    private final ConnectionSettingsService settings;
    private final PresenceService presence;

    public SettingsController(ConnectionSettingsService settings, PresenceService presence) {
        this.settings = settings;
        this.presence = presence;
    }

    /** The connection's settings (every connection has them, with defaults, from its creation). */
    @GetMapping("/settings")
    SettingsDtos.SettingsView get(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return SettingsDtos.SettingsView.of(settings.get(id, caller));
    }

    /**
     * Changes the fields given and applies them without relinking (the engine gets them at once).
     * The body is read field by field so that unknown fields and {@code null} can be told apart
     * from absent ones; one bad field is 400 with that field and nothing changes.
     */
    @PutMapping("/settings")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "unknown_field, invalid_type, out_of_range, invalid_body")
    SettingsDtos.SettingsSaved put(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                   @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                                           schema = @Schema(implementation = SettingsDtos.SettingsChange.class)))
                                   @RequestBody Map<String, Object> body) {
        ConnectionSettingsService.Updated u = settings.update(id, body, caller);
        return new SettingsDtos.SettingsSaved(id, SettingsDtos.SettingsView.of(u.settings()), u.presence());
    }

    /**
     * Shows "typing…" ({@code composing}), "recording audio…" ({@code recording}), stops it
     * ({@code paused}), or goes online/offline for everyone; subscribes to the contact's presence,
     * whose updates then arrive as realtime {@code presence.update}.
     */
    @PostMapping("/presence")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_state, invalid_recipient, invalid_phone")
    @ApiResponse(responseCode = "409", description = "not_connected, no_push_name")
    SettingsDtos.PresenceSent presence(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                       @RequestBody SettingsDtos.PresenceRequest body) {
        PresenceService.Sent s = presence.send(id, body.to(), body.state(), caller);
        return new SettingsDtos.PresenceSent(s.connectionId(), s.to(), s.state(), true);
    }
}
