package com.wagateway.whatsapp;

import com.wagateway.shared.Json;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The arguments and results of the engine's messaging and sandbox commands, typed, with the one
 * translation to and from the protocol's JSON (docs/engine-protocol.md, "Commands"). Callers
 * outside this package build and read only these records; the field names of the wire live here.
 */
public final class EngineCommands {

    private EngineCommands() {
    }

    /**
     * {@code send}: one message with the WhatsApp id chosen when it was accepted (a repeat after a
     * crash re-sends the same id, which WhatsApp treats as the same message).
     *
     * @param messageId    the WhatsApp message id to use
     * @param jid          the recipient (user or group JID, no device part)
     * @param contentJson  the content as stored when accepted ({@link #textContent}, {@link #imageContent})
     * @param quoted       the message replied to, or null
     */
    public record Send(String messageId, String jid, String contentJson, Quoted quoted) {

        ObjectNode toArgs() {
            ObjectNode args = Json.MAPPER.createObjectNode();
            args.put("messageId", messageId);
            args.put("jid", jid);
            args.set("content", Json.MAPPER.readTree(contentJson));
            if (quoted != null) {
                ObjectNode q = args.putObject("quoted");
                ObjectNode key = q.putObject("key");
                key.put("id", quoted.id());
                key.put("remoteJid", quoted.chatJid());
                key.put("fromMe", quoted.fromMe());
                key.put("participant", quoted.participant());
                q.set("message", quoted.contentJson() == null ? null : Json.MAPPER.readTree(quoted.contentJson()));
            }
            return args;
        }
    }

    /**
     * The replied-to message as Java stored it; it becomes Baileys' quoted message (a null
     * {@code contentJson} quotes without preview).
     *
     * @param participant the author, set only for someone else's message in a group (WhatsApp's key rule)
     */
    public record Quoted(String id, String chatJid, boolean fromMe, String participant, String contentJson) {

        /** The quoted key for a stored message: the author is named only for others' group messages. */
        public static Quoted of(String id, String chatJid, boolean fromMe, String senderJid, String contentJson) {
            return new Quoted(id, chatJid, fromMe, chatJid.endsWith("@g.us") && !fromMe ? senderJid : null, contentJson);
        }
    }

    /**
     * {@code send}'s result: WhatsApp took the message.
     *
     * @param timestamp    Baileys' timestamp of the message, or null
     * @param contentJson  the content exactly as sent (what {@code getMessage} must return later), or null
     */
    public record Sent(String providerMessageId, String remoteJid, Instant timestamp, String contentJson) {

        static Sent from(JsonNode result) {
            JsonNode content = result.path("message");
            return new Sent(MappedMessage.text(result, "providerMessageId"), MappedMessage.text(result, "remoteJid"),
                    result.hasNonNull("timestamp") ? Instant.ofEpochSecond(result.get("timestamp").asLong()) : null,
                    content.isMissingNode() ? null : content.toString());
        }
    }

    /**
     * {@code history.fetch}: asks the phone for {@code count} messages of one chat older than the
     * oldest one we hold. The answer arrives later as an on-demand {@code history.set}.
     */
    public record HistoryFetch(int count, String oldestId, String chatJid, boolean oldestFromMe, Instant oldestTimestamp) {

        ObjectNode toArgs() {
            ObjectNode args = Json.MAPPER.createObjectNode();
            args.put("count", count);
            ObjectNode key = args.putObject("oldestKey");
            key.put("id", oldestId);
            key.put("remoteJid", chatJid);
            key.put("fromMe", oldestFromMe);
            args.put("oldestTimestamp", oldestTimestamp.getEpochSecond());
            return args;
        }
    }

    /**
     * One message of {@code media.fetch}: its WhatsApp key and its content as stored (the JSON the
     * engine emitted in {@code messages.upsert}).
     */
    public record MediaFetch(String id, String remoteJid, boolean fromMe, String participant, String contentJson) {

        static tools.jackson.databind.node.ArrayNode toArgs(java.util.List<MediaFetch> list) {
            tools.jackson.databind.node.ArrayNode out = Json.MAPPER.createArrayNode();
            for (MediaFetch m : list) {
                ObjectNode o = out.addObject();
                ObjectNode key = o.putObject("key");
                key.put("id", m.id());
                key.put("remoteJid", m.remoteJid());
                key.put("fromMe", m.fromMe());
                key.put("participant", m.participant());
                o.set("message", Json.MAPPER.readTree(m.contentJson()));
            }
            return out;
        }
    }

    /** {@code sandbox.inbound}: a simulated contact sends a message (fields as in the protocol; null = default). */
    public record SandboxInbound(String from, String type, String message, String replyToProviderMessageId,
                                 boolean asLid, String pushName, String messageId, String mediaBase64, String fileName,
                                 String mimeType, Integer seconds) {

        /** A message without media arguments (text and every non-media type). */
        public SandboxInbound(String from, String type, String message, String replyToProviderMessageId,
                              boolean asLid, String pushName, String messageId) {
            this(from, type, message, replyToProviderMessageId, asLid, pushName, messageId, null, null, null, null);
        }

        ObjectNode toArgs() {
            ObjectNode a = Json.MAPPER.createObjectNode();
            a.put("from", from);
            a.put("type", type);
            a.put("message", message);
            a.put("replyToProviderMessageId", replyToProviderMessageId);
            a.put("asLid", asLid);
            a.put("pushName", pushName);
            a.put("messageId", messageId);
            if (mediaBase64 != null) {
                a.put("mediaBase64", mediaBase64);
            }
            if (fileName != null) {
                a.put("fileName", fileName);
            }
            if (mimeType != null) {
                a.put("mimeType", mimeType);
            }
            if (seconds != null) {
                a.put("seconds", seconds);
            }
            return a;
        }
    }

    /** {@code sandbox.inbound}'s result: the id and chat of the message the contact sent. */
    public record InboundSent(String providerMessageId, String remoteJid) {

        static InboundSent from(JsonNode result) {
            return new InboundSent(result.path("providerMessageId").asString(), result.path("remoteJid").asString());
        }
    }

    /** The stored (and sent) content of a text message: {@code {"type":"text","text":...}}. */
    public static String textContent(String text) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "text");
        content.put("text", text);
        return content.toString();
    }

    /** The stored (and sent) content of an image; a blank caption is left out. */
    public static String imageContent(String base64, String mimeType, String caption) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "image");
        content.put("base64", base64);
        content.put("mimeType", mimeType);
        if (caption != null && !caption.isBlank()) {
            content.put("caption", caption);
        }
        return content.toString();
    }
}
