package com.wagateway.whatsapp;

import com.wagateway.shared.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's per-connection behaviour commands, typed (docs/engine-protocol.md, "Settings,
 * presence and calls"; issue 16 parts 4 and 5): the settings the socket applies itself, presence,
 * read receipts, and their sandbox counterparts (a contact's presence, a call, what a contact got).
 * Every method completes with its result or exceptionally with an {@link EngineException};
 * arguments must already be validated. The protocol's field names stay in this class.
 */
@Component
public class ChatCommands {

    /**
     * What the engine applies of a connection's settings: reject calls at once, drop group and
     * broadcast chats before they are reported, go online, process history syncs.
     */
    public record EngineSettings(boolean rejectCalls, boolean ignoreGroups, boolean ignoreBroadcasts, boolean alwaysOnline,
                                 boolean syncHistory) {

        ObjectNode toArgs() {
            ObjectNode s = Json.MAPPER.createObjectNode();
            s.put("rejectCalls", rejectCalls);
            s.put("ignoreGroups", ignoreGroups);
            s.put("ignoreBroadcasts", ignoreBroadcasts);
            s.put("alwaysOnline", alwaysOnline);
            s.put("syncHistory", syncHistory);
            return s;
        }
    }

    /** Where {@code start} takes a connection's settings from (implemented by the settings service). */
    public interface SettingsSource {
        EngineSettings engineSettings(String connectionId);
    }

    /** One message to mark read: WhatsApp's id, its chat and, in groups, its sender. */
    public record ReadKey(String id, String chatJid, String participant) {
    }

    /** What a simulated contact got from the account (sandbox). */
    public record ContactView(String phone, List<String> states, boolean subscribed, String online, List<Call> calls,
                              List<Received> messages) {
    }

    /** A call a simulated contact made, and whether the device rejected it. */
    public record Call(String callId, boolean video, boolean rejected) {
    }

    /** A message a simulated contact sent, with the receipt types the device answered ({@code delivery}, {@code read} …). */
    public record Received(String providerMessageId, List<String> receipts) {
    }

    private final EngineSupervisor engine;

    public ChatCommands(EngineSupervisor engine) {
        this.engine = engine;
    }

    /**
     * {@code settings}: the connection's new settings, applied on the running socket (the
     * presence goes out at once when {@code alwaysOnline} changed). Completes with what presence
     * was sent: {@code available}, {@code unavailable}, {@code no_name} (WhatsApp has not given
     * the device its push name yet) or null (nothing to send).
     */
    public CompletableFuture<String> applySettings(String connectionId, EngineSettings settings) {
        ObjectNode a = engine.newArgs();
        a.set("settings", settings.toArgs());
        return engine.command("settings", connectionId, a).thenApply(r -> MappedMessage.text(r, "presence"));
    }

    /** {@code presence.send}: shows {@code state} to {@code jid} (and subscribes to the contact's presence). */
    public CompletableFuture<Void> sendPresence(String connectionId, String jid, String state) {
        ObjectNode a = engine.newArgs();
        a.put("jid", jid);
        a.put("state", state);
        return engine.command("presence.send", connectionId, a).thenApply(r -> null);
    }

    /** {@code messages.read}: WhatsApp read receipts for these contacts' messages; completes with how many. */
    public CompletableFuture<Integer> readMessages(String connectionId, List<ReadKey> keys) {
        ObjectNode a = engine.newArgs();
        ArrayNode list = a.putArray("keys");
        for (ReadKey k : keys) {
            ObjectNode key = list.addObject();
            key.put("id", k.id());
            key.put("remoteJid", k.chatJid());
            if (k.participant() != null) {
                key.put("participant", k.participant());
            }
        }
        return engine.command("messages.read", connectionId, a).thenApply(r -> r.path("read").asInt(0));
    }

    /** {@code sandbox.presence}: a simulated contact shows {@code state} to the account. */
    public CompletableFuture<Void> sandboxPresence(String connectionId, String from, String state) {
        ObjectNode a = engine.newArgs();
        a.put("from", from);
        a.put("state", state);
        return engine.command("sandbox.presence", connectionId, a).thenApply(r -> null);
    }

    /** {@code sandbox.call}: a simulated contact calls the account; completes with the call id. */
    public CompletableFuture<String> sandboxCall(String connectionId, String from, boolean video) {
        ObjectNode a = engine.newArgs();
        a.put("from", from);
        a.put("video", video);
        return engine.command("sandbox.call", connectionId, a).thenApply(r -> MappedMessage.text(r, "callId"));
    }

    /** {@code sandbox.contactView}: what a simulated contact got from the account. */
    public CompletableFuture<ContactView> sandboxContactView(String connectionId, String phone) {
        ObjectNode a = engine.newArgs();
        a.put("phone", phone);
        return engine.command("sandbox.contactView", connectionId, a).thenApply(r -> {
            List<String> states = new ArrayList<>();
            r.path("states").forEach(s -> states.add(s.path("state").asString()));
            List<Call> calls = new ArrayList<>();
            for (JsonNode c : r.path("calls")) {
                calls.add(new Call(c.path("callId").asString(), c.path("video").asBoolean(false), c.hasNonNull("rejectedAt")));
            }
            List<Received> received = new ArrayList<>();
            for (JsonNode m : r.path("messages")) {
                List<String> receipts = new ArrayList<>();
                m.path("receipts").forEach(x -> receipts.add(x.asString()));
                received.add(new Received(m.path("id").asString(), receipts));
            }
            return new ContactView(phone, states, r.path("subscribed").asBoolean(false), MappedMessage.text(r, "online"), calls, received);
        });
    }
}
