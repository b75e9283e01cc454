package com.wagateway.controllers;

import com.wagateway.controllers.dto.GroupDtos;
import com.wagateway.domain.Caller;
import com.wagateway.services.GroupService;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.GroupCommands.Group;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A connection's WhatsApp groups (issue 16, part 3). Sends to a group go through
 * {@code POST /api/send-message} with the group JID as {@code to}.
 */
@RestController
@RequestMapping("/api/connections/{id}/groups")
public class GroupController {

    private final GroupService groups;

    public GroupController(GroupService groups) {
        this.groups = groups;
    }

    /** Every group the account is in: subject, description, participant count, whether we are an admin. */
    @GetMapping
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "not_connected")
    List<GroupDtos.Summary> listGroups(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return groups.list(id, caller).stream().map(g -> new GroupDtos.Summary(g.jid(), g.subject(), g.description(),
                g.size(), g.ourAdmin(), g.ownerPhone(), g.creation())).toList();
    }

    /** One group with its participants (phone, LID, admin). */
    @GetMapping("/{group_jid}")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid")
    @ApiResponse(responseCode = "404", description = "group_not_found")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.Detail getGroup(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id, @PathVariable("group_jid") String groupJid) {
        return detail(groups.get(id, groupJid, caller));
    }

    /** Creates a group; our account is its super admin. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "subject_required, invalid_subject, participants_required, too_many_participants, invalid_phone")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.Detail createGroup(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id, @RequestBody GroupDtos.CreateRequest body) {
        return detail(groups.create(id, body.subject(), body.participants(), caller));
    }

    /** Adds, removes, promotes or demote members (one action per call); one result per member. */
    @PostMapping("/{group_jid}/participants")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid, action_required, one_action_only, participants_required, too_many_participants, invalid_phone")
    @ApiResponse(responseCode = "403", description = "not_group_admin")
    @ApiResponse(responseCode = "404", description = "group_not_found")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.ParticipantsResult updateGroupParticipants(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                              @PathVariable("group_jid") String groupJid, @RequestBody GroupDtos.ParticipantsRequest body) {
        Map<String, List<String>> actions = new LinkedHashMap<>();
        actions.put("add", body.add());
        actions.put("remove", body.remove());
        actions.put("promote", body.promote());
        actions.put("demote", body.demote());
        List<GroupService.ParticipantOutcome> out = groups.participants(id, groupJid, actions, caller);
        String action = actions.entrySet().stream().filter(e -> e.getValue() != null).findFirst().orElseThrow().getKey();
        return new GroupDtos.ParticipantsResult(groupJid, action, out.stream()
                .map(o -> new GroupDtos.ParticipantResult(o.phone(), o.error() == null, o.status(), o.error())).toList());
    }

    /** The group's invite link (admins only). */
    @GetMapping("/{group_jid}/invite-link")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid")
    @ApiResponse(responseCode = "403", description = "not_group_admin")
    @ApiResponse(responseCode = "404", description = "group_not_found")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.InviteLink groupInviteLink(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id, @PathVariable("group_jid") String groupJid) {
        String code = groups.inviteCode(id, groupJid, caller);
        return new GroupDtos.InviteLink(groupJid, code, "https://chat.whatsapp.com/" + code);
    }

    /** Our account leaves the group (POST: an action on WhatsApp; the group itself goes on). */
    @PostMapping("/{group_jid}/leave")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_group_jid")
    @ApiResponse(responseCode = "404", description = "group_not_found")
    @ApiResponse(responseCode = "409", description = "not_connected")
    GroupDtos.Left leaveGroup(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id, @PathVariable("group_jid") String groupJid) {
        groups.leave(id, groupJid, caller);
        return new GroupDtos.Left(groupJid, true);
    }

    private static GroupDtos.Detail detail(Group g) {
        return new GroupDtos.Detail(g.jid(), g.subject(), g.description(), g.size(), g.ourAdmin(), g.ownerPhone(), g.creation(),
                g.participants().stream().map(GroupController::participant).toList());
    }

    private static GroupDtos.Participant participant(EngineEvent.GroupMember m) {
        boolean admin = "admin".equals(m.admin()) || "superadmin".equals(m.admin());
        return new GroupDtos.Participant(m.phone(), m.lid(), admin, m.admin());
    }
}
