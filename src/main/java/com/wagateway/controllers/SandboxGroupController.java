package com.wagateway.controllers;

import com.wagateway.controllers.dto.GroupDtos;
import com.wagateway.domain.Caller;
import com.wagateway.services.GroupService;
import com.wagateway.whatsapp.GroupCommands;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The simulated group members, only when {@code WA_ENGINE=sandbox} (otherwise these routes do not exist). */
@RestController
@RequestMapping("/api/sandbox/{connection_id}/groups/{group_jid}")
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxGroupController {

    private final GroupService groups;

    public SandboxGroupController(GroupService groups) {
        this.groups = groups;
    }

    /** A member writes in the group: the connection receives a group message with that member as its sender. */
    @PostMapping("/inbound")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid, invalid_phone, invalid_message")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.SandboxInboundSent sandboxGroupInbound(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                         @PathVariable("group_jid") String groupJid, @RequestBody GroupDtos.SandboxInbound body) {
        GroupCommands.SandboxGroupMessage r = groups.sandboxInbound(id, groupJid, body.from(), body.message(), body.pushName(), caller);
        return new GroupDtos.SandboxInboundSent(r.providerMessageId(), r.groupJid(), r.participant());
    }

    /**
     * A member changes the group's subject and/or description on their phone (webhook
     * {@code group.updated}), or, an admin, adds, removes, promotes or demotes members ({@code group.participants}).
     */
    @PostMapping("/update")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid, invalid_phone, change_required, invalid_subject, invalid_description")
    @ApiResponse(responseCode = "409", description = "not_connected")
    Map<String, Object> sandboxGroupUpdate(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                               @PathVariable("group_jid") String groupJid, @RequestBody GroupDtos.SandboxUpdate body) {
        java.util.Map<String, java.util.List<String>> actions = new java.util.LinkedHashMap<>();
        actions.put("add", body.add());
        actions.put("remove", body.remove());
        actions.put("promote", body.promote());
        actions.put("demote", body.demote());
        groups.sandboxUpdate(id, groupJid, body.by(), body.subject(), body.description(), actions, caller);
        return Map.of("group_jid", groupJid, "updated", true);
    }
}
