package com.wagateway.services;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.ConnectionRow;
import com.wagateway.domain.Caller;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.whatsapp.GroupCommands;
import com.wagateway.whatsapp.GroupCommands.Group;
import com.wagateway.whatsapp.GroupCommands.ParticipantResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * A connection's WhatsApp groups (issue 16, part 3): list, one group with its members, create,
 * participant actions, invite link, leave.
 *
 * <p>Guarantees: ownership first (someone else's connection is the unknown connection's 404),
 * then every argument is validated before WhatsApp is asked anything, so bad input changes
 * nothing; WhatsApp stays the authority on what exists and who may do what — its refusals become
 * 404 {@code group_not_found} (unknown group, or one our account is not in) and 403
 * {@code not_group_admin}; a group's subject names its chat in the chat list.
 */
@Service
public class GroupService {

    /** At most this many participants per create or action (one WhatsApp query). */
    public static final int MAX_PARTICIPANTS = 256;
    /** WhatsApp's limit on a group's subject. */
    public static final int MAX_SUBJECT = 100;
    public static final List<String> ACTIONS = List.of("add", "remove", "promote", "demote");
    private static final Pattern GROUP_JID = Pattern.compile("^[0-9]{1,32}(-[0-9]{1,16})?@g\\.us$");

    private final ConnectionService connections;
    private final GroupCommands engine;
    private final ChatRepository chats;

    public GroupService(ConnectionService connections, GroupCommands engine, ChatRepository chats) {
        this.connections = connections;
        this.engine = engine;
        this.chats = chats;
    }

    /** The outcome of one participant of an action: {@code error} null when done. */
    public record ParticipantOutcome(String phone, String jid, int status, String error) {
    }

    /** Every group the connection's account is in. */
    public List<Group> list(String connectionId, Caller caller) {
        ready(connectionId, caller);
        List<Group> groups = call(() -> engine.list(connectionId));
        groups.forEach(g -> nameChat(connectionId, g));
        return groups;
    }

    /** One group with its participants (fresh from WhatsApp). */
    public Group get(String connectionId, String groupJid, Caller caller) {
        String jid = requireGroupJid(groupJid);
        ready(connectionId, caller);
        Group g = call(() -> engine.metadata(connectionId, jid));
        nameChat(connectionId, g);
        return g;
    }

    /** Creates a group: {@code subject} (1-100 characters) and 1-256 participants' phone numbers. */
    public Group create(String connectionId, String subject, List<String> participants, Caller caller) {
        connections.get(connectionId, caller);
        String s = requireSubject(subject);
        List<String> jids = requirePhones(participants, "participants");
        ready(connectionId, caller);
        Group g = call(() -> engine.create(connectionId, s, jids));
        nameChat(connectionId, g);
        return g;
    }

    /**
     * One action on participants: exactly one of {@code add}, {@code remove}, {@code promote},
     * {@code demote} with 1-256 phone numbers; one outcome per distinct number, in order.
     */
    public List<ParticipantOutcome> participants(String connectionId, String groupJid, Map<String, List<String>> actions, Caller caller) {
        String jid = requireGroupJid(groupJid);
        connections.get(connectionId, caller);
        List<String> given = actions.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
        if (given.isEmpty()) {
            throw new ApiException.InvalidInput("action_required", "add", "give one of add, remove, promote, demote with a list of phone numbers");
        }
        if (given.size() > 1) {
            throw new ApiException.InvalidInput("one_action_only", given.get(1), "give exactly one of add, remove, promote, demote (got " + String.join(", ", given) + ")");
        }
        String action = given.get(0);
        List<String> jids = requirePhones(actions.get(action), action);
        ready(connectionId, caller);
        List<ParticipantResult> results = call(() -> engine.participants(connectionId, jid, action, jids));
        List<ParticipantOutcome> out = new ArrayList<>();
        for (ParticipantResult r : results) {
            int status = parseStatus(r.status());
            out.add(new ParticipantOutcome(r.jid() == null ? null : r.jid().split("@")[0], r.jid(), status, refusal(action, status)));
        }
        return out;
    }

    /** The group's invite code (admins only). */
    public String inviteCode(String connectionId, String groupJid, Caller caller) {
        String jid = requireGroupJid(groupJid);
        ready(connectionId, caller);
        return call(() -> engine.inviteCode(connectionId, jid));
    }

    /** Our account leaves the group (the group goes on without it). */
    public void leave(String connectionId, String groupJid, Caller caller) {
        String jid = requireGroupJid(groupJid);
        ready(connectionId, caller);
        call(() -> engine.leave(connectionId, jid));
    }

    /** Sandbox: member {@code from} writes {@code message} in the group. */
    public GroupCommands.SandboxGroupMessage sandboxInbound(String connectionId, String groupJid, String from, String message,
                                                           String pushName, Caller caller) {
        String jid = requireGroupJid(groupJid);
        connections.get(connectionId, caller);
        String phone = PhoneNumbers.require(from, "from");
        if (message == null || message.isBlank() || message.length() > 65536) {
            throw new ApiException.InvalidInput("invalid_message", "message", "message must be 1-65536 characters");
        }
        if (pushName != null && pushName.length() > 100) {
            throw new ApiException.InvalidInput("invalid_push_name", "push_name", "push_name is at most 100 characters");
        }
        ready(connectionId, caller);
        return sandbox(() -> engine.sandboxInbound(connectionId, jid, phone, message, pushName));
    }

    /** Sandbox: member {@code by} changes the subject and/or the description of the group, or (an admin) its members, on their phone. */
    public void sandboxUpdate(String connectionId, String groupJid, String by, String subject, String description,
                              Map<String, List<String>> actions, Caller caller) {
        String jid = requireGroupJid(groupJid);
        connections.get(connectionId, caller);
        String phone = PhoneNumbers.require(by, "by");
        String s = subject == null ? null : requireSubject(subject);
        List<String> given = actions.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
        if (given.size() > 1) {
            throw new ApiException.InvalidInput("one_action_only", given.get(1), "give at most one of add, remove, promote, demote");
        }
        String action = given.isEmpty() ? null : given.get(0);
        List<String> phones = action == null ? List.of()
                : requirePhones(actions.get(action), action).stream().map(j -> j.split("@")[0]).toList();
        if (s == null && description == null && action == null) {
            throw new ApiException.InvalidInput("change_required", "subject", "give subject, description and/or one of add, remove, promote, demote");
        }
        if (description != null && description.length() > 2048) {
            throw new ApiException.InvalidInput("invalid_description", "description", "description is at most 2048 characters");
        }
        ready(connectionId, caller);
        sandbox(() -> engine.sandboxUpdate(connectionId, jid, phone, s, description, false, action, phones));
    }

    private void ready(String connectionId, Caller caller) {
        ConnectionRow row = connections.get(connectionId, caller);
        if (row.status() != ConnectionStatus.READY) {
            throw new ApiException.Conflict("not_connected", "'" + connectionId + "' is not connected to WhatsApp (status must be ready)");
        }
    }

    private void nameChat(String connectionId, Group g) {
        if (g.jid() != null && g.subject() != null) {
            chats.nameGroup(connectionId, g.jid(), g.subject());
        }
    }

    static String requireGroupJid(String raw) {
        if (raw == null || !GROUP_JID.matcher(raw).matches()) {
            throw new ApiException.InvalidInput("invalid_group_jid", "group_jid", "group_jid must be a group JID: digits@g.us (e.g. 120363012345678901@g.us)");
        }
        return raw;
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new ApiException.InvalidInput("subject_required", "subject", "subject must be a non-empty text");
        }
        String s = subject.strip();
        if (s.length() > MAX_SUBJECT) {
            throw new ApiException.InvalidInput("invalid_subject", "subject", "subject is at most " + MAX_SUBJECT + " characters");
        }
        return s;
    }

    /** 1-256 valid phone numbers → their distinct phone JIDs, in the order given. */
    private static List<String> requirePhones(List<String> phones, String field) {
        if (phones == null || phones.isEmpty()) {
            throw new ApiException.InvalidInput("participants_required", field, field + " must list at least one phone number");
        }
        if (phones.size() > MAX_PARTICIPANTS) {
            throw new ApiException.InvalidInput("too_many_participants", field, "at most " + MAX_PARTICIPANTS + " phone numbers, got " + phones.size());
        }
        LinkedHashSet<String> jids = new LinkedHashSet<>();
        for (String p : phones) {
            jids.add(PhoneNumbers.require(p, field) + "@s.whatsapp.net");
        }
        return List.copyOf(jids);
    }

    private static int parseStatus(String s) {
        try {
            return s == null ? 500 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 500;
        }
    }

    /** WhatsApp's per-participant code → the API's reason, null when done. */
    private static String refusal(String action, int status) {
        if (status == 200) {
            return null;
        }
        return switch (status) {
            case 409 -> "already_member";
            case 404 -> "add".equals(action) ? "not_on_whatsapp" : "not_member";
            case 403, 401 -> "not_allowed";
            case 406 -> "not_acceptable";
            default -> "refused";
        };
    }

    /** A sandbox command: the simulation's refusals (a sender not in the group …) are 409 {@code sandbox_refused}. */
    private static <T> T sandbox(Supplier<CompletableFuture<T>> s) {
        try {
            return s.get().join();
        } catch (CompletionException e) {
            EngineException ee = EngineException.of(e.getCause());
            if (ee instanceof EngineException.BadRequest || ee instanceof EngineException.InvalidState) {
                throw new ApiException.Conflict("sandbox_refused", ee.getMessage());
            }
            return call(() -> CompletableFuture.failedFuture(ee));
        }
    }

    /**
     * Runs an engine call; WhatsApp's refusals become the API's group errors (404
     * {@code group_not_found}, 403 {@code not_group_admin}); every other failure is mapped as
     * for any engine call ({@link ContactService#call}).
     */
    private static <T> T call(Supplier<CompletableFuture<T>> s) {
        try {
            return s.get().join();
        } catch (CompletionException e) {
            if (EngineException.of(e.getCause()) instanceof EngineException.SendFailed sf && sf.statusCode() != null) {
                int code = sf.statusCode();
                if (code == 404 || code == 403) {
                    throw new ApiException.NotFound("group_not_found", "no such group, or this account is not a member of it");
                }
                if (code == 401) {
                    throw new ApiException.Forbidden("not_group_admin", "only the group's admins may do this, and this account is not one");
                }
            }
            return ContactService.call(() -> {
                throw e;
            });
        }
    }
}
