package com.wagateway.whatsapp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's account commands, typed (docs/engine-protocol.md, "Linking and contact
 * commands"): a pairing code instead of a QR, who is on WhatsApp, profile pictures, and their
 * sandbox counterparts. Like {@link EngineClient}, every method completes with the typed result
 * or exceptionally with an {@link EngineException}; connection ids and arguments must already be
 * validated. The protocol's field names stay in this class.
 */
@Component
public class AccountCommands {

    /** A pairing code as a person types it ({@code ABCD-EFGH}) and when it stops working. */
    public record PairingCode(String code, Instant expiresAt) {
    }

    /**
     * What the simulated phone made of a pairing code: linked (with the device JID), or refused
     * with {@code reason} {@code wrong_code}, {@code expired}, {@code no_request} or {@code refused}.
     */
    public record PairOutcome(boolean linked, String jid, String reason) {
    }

    /** One number of a contact check: on WhatsApp or not, with its phone JID and LID JID when known. */
    public record ContactCheck(String phone, boolean exists, String jid, String lid) {
    }

    private final EngineSupervisor engine;

    public AccountCommands(EngineSupervisor engine) {
        this.engine = engine;
    }

    /** {@code pairing.request}: asks WhatsApp for a pairing code for {@code phone} once the socket shows its first QR. */
    public CompletableFuture<PairingCode> requestPairingCode(String connectionId, String phone) {
        ObjectNode a = engine.newArgs();
        a.put("phone", phone);
        return engine.command("pairing.request", connectionId, a).thenApply(r ->
                new PairingCode(r.path("code").asString(), Instant.ofEpochMilli(r.path("expiresAt").asLong())));
    }

    /** {@code contacts.check}: one WhatsApp query for all these numbers; one answer per number, in order. */
    public CompletableFuture<List<ContactCheck>> checkContacts(String connectionId, List<String> phones) {
        ObjectNode a = engine.newArgs();
        ArrayNode list = a.putArray("phones");
        phones.forEach(list::add);
        return engine.command("contacts.check", connectionId, a).thenApply(r -> {
            List<ContactCheck> out = new ArrayList<>();
            for (JsonNode c : r.path("results")) {
                out.add(new ContactCheck(MappedMessage.text(c, "phone"), c.path("exists").asBoolean(false),
                        MappedMessage.text(c, "jid"), MappedMessage.text(c, "lid")));
            }
            return out;
        });
    }

    /** {@code contacts.picture}: the full-size profile picture URL of a user JID, or null (none, or hidden from us). */
    public CompletableFuture<String> profilePicture(String connectionId, String jid) {
        ObjectNode a = engine.newArgs();
        a.put("jid", jid);
        return engine.command("contacts.picture", connectionId, a).thenApply(r -> MappedMessage.text(r, "url"));
    }

    /** {@code sandbox.pair}: the simulated phone {@code phone} enters {@code code}. */
    public CompletableFuture<PairOutcome> sandboxPair(String connectionId, String phone, String code) {
        ObjectNode a = engine.newArgs();
        a.put("phone", phone);
        a.put("code", code);
        return engine.command("sandbox.pair", connectionId, a).thenApply(r ->
                new PairOutcome(r.path("linked").asBoolean(false), MappedMessage.text(r, "jid"), MappedMessage.text(r, "reason")));
    }

    /**
     * {@code sandbox.contact}: what a simulated contact shows other users. Null arguments are left
     * unchanged; {@code picture} is {@code set}, {@code hidden} or {@code none}.
     */
    public CompletableFuture<Void> sandboxContact(String connectionId, String phone, String name, Boolean onWhatsApp, String picture) {
        ObjectNode a = engine.newArgs();
        a.put("phone", phone);
        if (name != null) {
            a.put("name", name);
        }
        if (onWhatsApp != null) {
            a.put("onWhatsApp", onWhatsApp);
        }
        if (picture != null) {
            a.put("picture", picture);
        }
        return engine.command("sandbox.contact", connectionId, a).thenApply(r -> null);
    }

    /**
     * {@code sandbox.restrict}: WhatsApp restricts the account of this connection ({@code kind}
     * {@code reachout_timelock} or {@code message_capping}) until {@code until}; the emulator sends
     * the notification Baileys parses (none when {@code silent}) and refuses new contacts with 463 meanwhile.
     */
    public CompletableFuture<Void> sandboxRestrict(String connectionId, String kind, Instant until, String enforcementType,
                                                   boolean silent) {
        ObjectNode a = engine.newArgs();
        a.put("kind", kind);
        a.put("silent", silent);
        a.put("until", until.toEpochMilli());
        if (enforcementType != null) {
            a.put("enforcementType", enforcementType);
        }
        return engine.command("sandbox.restrict", connectionId, a).thenApply(r -> null);
    }

    /** {@code sandbox.lift}: WhatsApp lifts the restriction; true when one of that kind was in force. */
    public CompletableFuture<Boolean> sandboxLift(String connectionId, String kind) {
        ObjectNode a = engine.newArgs();
        a.put("kind", kind);
        return engine.command("sandbox.lift", connectionId, a).thenApply(r -> r.path("lifted").asBoolean(false));
    }
}
