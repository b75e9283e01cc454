package com.wagateway.whatsapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's group commands, typed (docs/engine-protocol.md, "Group commands"): list, metadata,
 * create, participant actions, invite code, leave, and the sandbox's member message and member
 * change. Like {@link AccountCommands}, every method completes with the typed result or
 * exceptionally with an {@link EngineException} (WhatsApp's refusal is {@code send_failed} with
 * WhatsApp's code as {@code statusCode}); arguments must already be validated.
 */
@Component
public class GroupCommands {

    /** A group as WhatsApp describes it; {@code ourAdmin}: our own account is an admin of it. */
    public record Group(String jid, String subject, String description, String ownerPhone, Long creation, int size,
                        boolean ourAdmin, List<EngineEvent.GroupMember> participants) {
    }

    /** What WhatsApp did with one participant of an action: {@code status} "200" done, else its refusal code. */
    public record ParticipantResult(String jid, String status) {
    }

    /** A member's message in the sandbox: its id and who sent it. */
    public record SandboxGroupMessage(String providerMessageId, String groupJid, String participant) {
    }

    private final EngineSupervisor engine;

    public GroupCommands(EngineSupervisor engine) {
        this.engine = engine;
    }

    /** {@code groups.list}: every group our account is in, with participants (one WhatsApp query). */
    public CompletableFuture<List<Group>> list(String connectionId) {
        return engine.command("groups.list", connectionId, engine.newArgs()).thenApply(r -> {
            List<Group> out = new ArrayList<>();
            for (JsonNode g : r.path("groups")) {
                out.add(group(g));
            }
            return out;
        });
    }

    /** {@code groups.metadata}: one group, fresh from WhatsApp. */
    public CompletableFuture<Group> metadata(String connectionId, String groupJid) {
        ObjectNode a = engine.newArgs();
        a.put("jid", groupJid);
        return engine.command("groups.metadata", connectionId, a).thenApply(r -> group(r.path("group")));
    }

    /** {@code groups.create}: a new group with this subject and these member JIDs; we are its super admin. */
    public CompletableFuture<Group> create(String connectionId, String subject, List<String> participantJids) {
        ObjectNode a = engine.newArgs();
        a.put("subject", subject);
        ArrayNode list = a.putArray("participants");
        participantJids.forEach(list::add);
        return engine.command("groups.create", connectionId, a).thenApply(r -> group(r.path("group")));
    }

    /** {@code groups.participants}: add, remove, promote or demote these member JIDs; one result each. */
    public CompletableFuture<List<ParticipantResult>> participants(String connectionId, String groupJid, String action,
                                                                   List<String> participantJids) {
        ObjectNode a = engine.newArgs();
        a.put("jid", groupJid);
        a.put("action", action);
        ArrayNode list = a.putArray("participants");
        participantJids.forEach(list::add);
        return engine.command("groups.participants", connectionId, a).thenApply(r -> {
            List<ParticipantResult> out = new ArrayList<>();
            for (JsonNode p : r.path("results")) {
                out.add(new ParticipantResult(MappedMessage.text(p, "jid"), MappedMessage.text(p, "status")));
            }
            return out;
        });
    }

    /** {@code groups.inviteCode}: the group's invite code (admins only). */
    public CompletableFuture<String> inviteCode(String connectionId, String groupJid) {
        ObjectNode a = engine.newArgs();
        a.put("jid", groupJid);
        return engine.command("groups.inviteCode", connectionId, a).thenApply(r -> MappedMessage.text(r, "code"));
    }

    /** {@code groups.leave}: our account leaves the group. */
    public CompletableFuture<Void> leave(String connectionId, String groupJid) {
        ObjectNode a = engine.newArgs();
        a.put("jid", groupJid);
        return engine.command("groups.leave", connectionId, a).thenApply(r -> null);
    }

    /** {@code sandbox.groupInbound}: member {@code from} writes {@code message} in the group. */
    public CompletableFuture<SandboxGroupMessage> sandboxInbound(String connectionId, String groupJid, String from,
                                                                 String message, String pushName) {
        ObjectNode a = engine.newArgs();
        a.put("group", groupJid);
        a.put("from", from);
        a.put("message", message);
        if (pushName != null) {
            a.put("pushName", pushName);
        }
        return engine.command("sandbox.groupInbound", connectionId, a).thenApply(r -> new SandboxGroupMessage(
                MappedMessage.text(r, "providerMessageId"), MappedMessage.text(r, "remoteJid"), MappedMessage.text(r, "participant")));
    }

    /**
     * {@code sandbox.groupUpdate}: member {@code by} changes the subject and/or the description
     * (null leaves it; {@code removeDescription} removes it), and/or (an admin) does {@code action}
     * to these phones.
     */
    public CompletableFuture<Void> sandboxUpdate(String connectionId, String groupJid, String by, String subject,
                                                 String description, boolean removeDescription, String action, List<String> phones) {
        ObjectNode a = engine.newArgs();
        a.put("group", groupJid);
        a.put("by", by);
        if (action != null) {
            a.put("action", action);
            ArrayNode list = a.putArray("participants");
            phones.forEach(list::add);
        }
        if (subject != null) {
            a.put("subject", subject);
        }
        if (removeDescription) {
            a.putNull("description");
        } else if (description != null) {
            a.put("description", description);
        }
        return engine.command("sandbox.groupUpdate", connectionId, a).thenApply(r -> null);
    }

    private static Group group(JsonNode g) {
        return new Group(MappedMessage.text(g, "jid"), MappedMessage.text(g, "subject"), MappedMessage.text(g, "description"),
                MappedMessage.text(g, "owner"), g.hasNonNull("creation") ? g.get("creation").asLong() : null,
                g.path("size").asInt(0), g.path("isAdmin").asBoolean(false), EngineEvent.GroupMember.listFrom(g.path("participants")));
    }
}
