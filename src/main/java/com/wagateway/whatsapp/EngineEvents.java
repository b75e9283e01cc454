package com.wagateway.whatsapp;

import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** Maps one protocol event line to an {@link EngineEvent}; unknown events are skipped. */
final class EngineEvents {

    private EngineEvents() {
    }

    /** Returns the event for a {@code {"type":"event",...}} line, or empty if it is not one we know. */
    static Optional<EngineEvent> parse(JsonNode line) {
        String id = text(line, "connectionId");
        JsonNode d = line.path("data");
        String name = text(line, "event");
        if (name == null || id == null) {
            return Optional.empty();
        }
        EngineEvent event = switch (name) {
            case "connection.connecting" -> new EngineEvent.Connecting(id);
            case "connection.qr" -> new EngineEvent.QrIssued(id, text(d, "qr"),
                    d.hasNonNull("expiresAt") ? Instant.ofEpochMilli(d.get("expiresAt").asLong()) : null,
                    d.path("ref").asInt(0));
            case "connection.authenticated" -> new EngineEvent.Authenticated(id, text(d, "jid"),
                    text(d, "phone"), text(d, "name"), d.path("isNewLogin").asBoolean(false));
            case "connection.open" -> new EngineEvent.Ready(id, text(d, "jid"), text(d, "phone"), text(d, "name"));
            case "connection.close" -> new EngineEvent.Disconnected(id,
                    d.hasNonNull("code") ? d.get("code").asInt() : null,
                    text(d, "reason"), text(d, "message"),
                    d.path("wasOpen").asBoolean(false), d.path("wasAuthenticated").asBoolean(false));
            case "messages.upsert" -> EngineEvent.MessagesUpserted.from(id, d);
            case "messages.update" -> EngineEvent.MessagesUpdated.from(id, d);
            case "history.set" -> EngineEvent.HistoryChunk.from(id, d);
            case "contacts.lid" -> EngineEvent.LidMappings.from(id, d);
            case "poll.vote" -> EngineEvent.PollVotes.from(id, d);
            case "contacts.upsert" -> EngineEvent.ContactsUpserted.from(id, d);
            case "media.downloaded" -> EngineEvent.MediaResult.from(id, d, true);
            case "media.failed" -> EngineEvent.MediaResult.from(id, d, false);
            case "call" -> EngineEvent.CallReceived.from(id, d);
            case "presence.update" -> EngineEvent.PresenceChanged.from(id, d);
            case "group.participants" -> EngineEvent.GroupParticipants.from(id, d);
            case "group.updated" -> EngineEvent.GroupUpdated.from(id, d);
            case "connection.restriction" -> EngineEvent.RestrictionChanged.from(id, d);
            default -> null;
        };
        return Optional.ofNullable(event);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
