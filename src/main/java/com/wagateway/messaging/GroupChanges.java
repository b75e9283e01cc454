package com.wagateway.messaging;

import com.wagateway.database.ChatRepository;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import com.wagateway.wire.NeverNull;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Group changes WhatsApp reports (issue 16, part 3): members added, removed, promoted, demoted
 * ({@code group.participants}) and a group's subject or description changed or a group appeared
 * ({@code group.updated}). Each becomes a webhook and a realtime event; a subject also renames the
 * group's chat.
 *
 * <p>Guarantees: the chat name is written before the webhook is queued (the name is idempotent, the
 * queueing is not), so an event retried after a database outage queues its webhook once; the
 * realtime event follows the commit. An event that fails for its own data is logged and skipped.
 */
@Component
public class GroupChanges implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(GroupChanges.class);

    private final WebhookOutbox outbox;
    private final ChatRepository chats;
    private final Publisher publisher;

    GroupChanges(WebhookOutbox outbox, ChatRepository chats, Publisher publisher) {
        this.outbox = outbox;
        this.chats = chats;
        this.publisher = publisher;
    }

    /** A member of a group as webhooks and realtime carry it. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "GroupMemberView")
    public record Member(String phone, String lid, boolean admin, String role) {
    }

    /** {@code group.participants}: {@code action} add, remove, promote or demote; who did it; whom it concerned. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "GroupParticipantsEvent")
    public record Participants(@NeverNull String connectionId, @NeverNull String groupJid, @NeverNull String action,
                               String authorPhone, @NeverNull List<Member> participants, @NeverNull String timestamp) {
    }

    /**
     * {@code group.updated}: {@code changes} lists what changed ({@code subject}, {@code description});
     * {@code subject} / {@code description} are the new values (null when unchanged, or a removed
     * description); {@code created}: the group just appeared (created by us, or we were added).
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "GroupUpdatedEvent")
    public record Updated(@NeverNull String connectionId, @NeverNull String groupJid, boolean created,
                          @NeverNull List<String> changes, String subject, String description, String authorPhone,
                          @NeverNull String timestamp) {
    }

    @Override
    public void onEvent(EngineEvent event) {
        try {
            if (event instanceof EngineEvent.GroupParticipants p && p.groupJid() != null && p.action() != null) {
                participants(p);
            } else if (event instanceof EngineEvent.GroupUpdated u && u.groupJid() != null) {
                updated(u);
            }
        } catch (RuntimeException e) {
            if (DatabaseUnavailable.isCause(e)) {
                throw e;
            }
            log.warn("[{}] could not apply a group change: {}", event.connectionId(), e.getMessage());
        }
    }

    private void participants(EngineEvent.GroupParticipants p) {
        List<Member> members = new ArrayList<>();
        for (EngineEvent.GroupMember m : p.participants()) {
            members.add(new Member(m.phone(), m.lid(), "admin".equals(m.admin()) || "superadmin".equals(m.admin()), m.admin()));
        }
        Participants e = new Participants(p.connectionId(), p.groupJid(), p.action(), p.authorPhone(), members, Instant.now().toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", WebhookEventTypes.GROUP_PARTICIPANTS);
        body.put("connection_id", e.connectionId());
        body.put("group_jid", e.groupJid());
        body.put("action", e.action());
        body.put("author_phone", e.authorPhone());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Member m : members) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("phone", m.phone());
            one.put("lid", m.lid());
            one.put("admin", m.admin());
            one.put("role", m.role());
            list.add(one);
        }
        body.put("participants", list);
        body.put("timestamp", e.timestamp());
        outbox.enqueue(List.of(new WebhookEvent(e.connectionId(), WebhookEventTypes.GROUP_PARTICIPANTS, body)));
        publisher.publish(new GroupEvent(e.connectionId(), WebhookEventTypes.GROUP_PARTICIPANTS, e));
    }

    private void updated(EngineEvent.GroupUpdated u) {
        List<String> changes = new ArrayList<>();
        if (u.subjectChanged()) {
            changes.add("subject");
        }
        if (u.descriptionChanged()) {
            changes.add("description");
        }
        if (u.subjectChanged() && u.subject() != null) {
            chats.nameGroup(u.connectionId(), u.groupJid(), u.subject());
        }
        Updated e = new Updated(u.connectionId(), u.groupJid(), u.created(), changes, u.subjectChanged() ? u.subject() : null,
                u.descriptionChanged() ? u.description() : null, u.authorPhone(), Instant.now().toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", WebhookEventTypes.GROUP_UPDATED);
        body.put("connection_id", e.connectionId());
        body.put("group_jid", e.groupJid());
        body.put("created", e.created());
        body.put("changes", e.changes());
        body.put("subject", e.subject());
        body.put("description", e.description());
        body.put("author_phone", e.authorPhone());
        body.put("timestamp", e.timestamp());
        outbox.enqueue(List.of(new WebhookEvent(e.connectionId(), WebhookEventTypes.GROUP_UPDATED, body)));
        publisher.publish(new GroupEvent(e.connectionId(), WebhookEventTypes.GROUP_UPDATED, e));
    }

    /** Application event after the commit: the realtime layer forwards {@code payload} as {@code name}. */
    public record GroupEvent(String connectionId, String name, Object payload) {
    }
}
