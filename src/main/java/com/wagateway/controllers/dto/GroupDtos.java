package com.wagateway.controllers.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** Bodies and answers of the group endpoints (issue 16, part 3). */
public final class GroupDtos {

    private GroupDtos() {
    }

    /** Create a group: its subject (1-100 characters) and 1-256 members' phone numbers (international format). */
    @Schema(name = "GroupCreateRequest")
    public record CreateRequest(String subject, List<String> participants) {
    }

    /** One action on a group's members: exactly one of the four lists, 1-256 phone numbers. */
    @Schema(name = "GroupParticipantsRequest")
    public record ParticipantsRequest(List<String> add, List<String> remove, List<String> promote, List<String> demote) {
    }

    /**
     * A group in a list: {@code participant_count}, and {@code is_admin} — whether this
     * connection's account is an admin of it (only admins may change members or see the invite link).
     */
    @Schema(name = "GroupSummary")
    public record Summary(String groupJid, String subject, String description, int participantCount, boolean isAdmin,
                          String ownerPhone, Long createdAt) {
    }

    /**
     * One member: phone digits and LID JID where known (never a LID as the phone), {@code admin}
     * true for admins and the super admin, {@code role} {@code superadmin}, {@code admin} or null.
     */
    @Schema(name = "GroupParticipant")
    public record Participant(String phone, String lid, boolean admin, String role) {
    }

    /** A group with its members. {@code created_at}: Unix seconds of its creation. */
    @Schema(name = "Group")
    public record Detail(String groupJid, String subject, String description, int participantCount, boolean isAdmin,
                         String ownerPhone, Long createdAt, List<Participant> participants) {
    }

    /**
     * What WhatsApp did with one member of an action: {@code ok}, WhatsApp's {@code status}
     * (200 done) and the reason when refused: {@code already_member}, {@code not_on_whatsapp},
     * {@code not_member}, {@code not_allowed}, {@code not_acceptable}, {@code refused}.
     */
    @Schema(name = "GroupParticipantResult")
    public record ParticipantResult(String phone, boolean ok, int status, String error) {
    }

    /** The answer of a participant action: the action and one result per distinct phone number, in order. */
    @Schema(name = "GroupParticipantsResult")
    public record ParticipantsResult(String groupJid, String action, List<ParticipantResult> results) {
    }

    /** The group's invite code and link ({@code https://chat.whatsapp.com/<code>}). */
    @Schema(name = "GroupInviteLink")
    public record InviteLink(String groupJid, String code, String link) {
    }

    /** Our account left the group. */
    @Schema(name = "GroupLeft")
    public record Left(String groupJid, boolean left) {
    }

    /** Sandbox: a member writes in the group ({@code push_name} optional). */
    @Schema(name = "SandboxGroupInboundRequest")
    public record SandboxInbound(String from, String message, String pushName) {
    }

    /** Sandbox: the member's message was sent to the linked device. */
    @Schema(name = "SandboxGroupInbound")
    public record SandboxInboundSent(String providerMessageId, String groupJid, String participant) {
    }

    /** Sandbox: a member changes the subject and/or description, or (an admin) acts on members, on their phone. */
    @Schema(name = "SandboxGroupUpdateRequest")
    public record SandboxUpdate(String by, String subject, String description, List<String> add, List<String> remove,
                                List<String> promote, List<String> demote) {
    }
}
