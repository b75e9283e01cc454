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
                                 boolean asLid, String pushName, String messageId, java.util.List<String> options,
                                 String mediaBase64, String fileName, String mimeType, Integer seconds) {

        /** A message without options or media arguments (text and every other non-media type). */
        public SandboxInbound(String from, String type, String message, String replyToProviderMessageId,
                              boolean asLid, String pushName, String messageId) {
            this(from, type, message, replyToProviderMessageId, asLid, pushName, messageId, null, null, null, null, null);
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
            if (options != null) {
                var list = a.putArray("options");
                options.forEach(list::add);
            }
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

    /**
     * {@code sandbox.sent}: one of our messages as the emulator's contact decrypted it.
     *
     * @param count   1 once the contact has it (an id counts once, like on WhatsApp)
     * @param resends later arrivals of the same id
     * @param content what the contact saw
     */
    public record SentToContact(String providerMessageId, String jid, int count, int resends, SeenContent content) {

        static java.util.List<SentToContact> listFrom(JsonNode result) {
            java.util.List<SentToContact> out = new java.util.ArrayList<>();
            for (JsonNode m : result.path("messages")) {
                out.add(new SentToContact(MappedMessage.text(m, "id"), MappedMessage.text(m, "jid"), m.path("count").asInt(),
                        m.path("resends").asInt(), SeenContent.from(m.path("content"))));
            }
            return out;
        }
    }

    /**
     * What the contact saw of a message: its type and the parts that apply to it (others null).
     * {@code sha256}/{@code size} are of the media plaintext the contact downloaded and decrypted.
     */
    public record SeenContent(String type, String text, String caption, String fileName, String mimeType, String sha256,
                              Long size, String mediaError, java.util.List<String> mentions, Double latitude,
                              Double longitude, String name, String address, String displayName,
                              java.util.List<String> vcards, String emoji, String targetId, String pollName,
                              java.util.List<String> pollOptions, Integer selectableCount) {

        static SeenContent from(JsonNode c) {
            JsonNode loc = c.path("location");
            JsonNode poll = c.path("poll");
            return new SeenContent(MappedMessage.text(c, "type"), MappedMessage.text(c, "text"), MappedMessage.text(c, "caption"),
                    MappedMessage.text(c, "fileName"), MappedMessage.text(c, "mimetype"), MappedMessage.text(c, "sha256"),
                    c.path("size").isNumber() ? c.path("size").asLong() : null, MappedMessage.text(c, "mediaError"),
                    strings(c.path("mentions")), loc.path("latitude").isNumber() ? loc.path("latitude").asDouble() : null,
                    loc.path("longitude").isNumber() ? loc.path("longitude").asDouble() : null, MappedMessage.text(loc, "name"),
                    MappedMessage.text(loc, "address"), MappedMessage.text(c, "displayName"), strings(c.path("vcards")),
                    MappedMessage.text(c, "emoji"), MappedMessage.text(c, "targetId"), MappedMessage.text(poll, "name"),
                    strings(poll.path("options")), poll.path("selectableCount").isNumber() ? poll.path("selectableCount").asInt() : null);
        }

        private static java.util.List<String> strings(JsonNode array) {
            if (!array.isArray()) {
                return null;
            }
            java.util.List<String> out = new java.util.ArrayList<>();
            array.forEach(v -> out.add(v.asString()));
            return out;
        }
    }

    /** The stored (and sent) content of a text message: {@code {"type":"text","text":...}}. */
    public static String textContent(String text) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "text");
        content.put("text", text);
        return content.toString();
    }


    /** The stored (and sent) content of a text message, with the JIDs it mentions (none: left out). */
    public static String textContent(String text, java.util.List<String> mentionJids) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "text");
        content.put("text", text);
        mentions(content, mentionJids);
        return content.toString();
    }

    /**
     * The stored content of a media message: the file by the SHA-256 of its bytes in the
     * MediaStore (never the bytes); the send queue adds the local {@code path} when it hands the
     * message to the engine ({@link #withMediaPath}). Blank caption and file name are left out.
     *
     * @param type image, video, audio, voice, document or sticker
     */
    public static String mediaContent(String type, String sha256, String mimeType, String caption, String fileName,
                                      java.util.List<String> mentionJids) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", type);
        content.put("sha256", sha256);
        content.put("mimeType", mimeType);
        if (caption != null && !caption.isBlank()) {
            content.put("caption", caption);
        }
        if (fileName != null && !fileName.isBlank()) {
            content.put("fileName", fileName);
        }
        mentions(content, mentionJids);
        return content.toString();
    }

    /** The SHA-256 of the file a stored content refers to, or null (no file, or the bytes are inline). */
    public static String mediaSha256(String contentJson) {
        JsonNode sha = Json.MAPPER.readTree(contentJson).path("sha256");
        return sha.isString() ? sha.asString() : null;
    }

    /** The stored content with the file's local path added (what the engine's send reads). */
    public static String withMediaPath(String contentJson, java.nio.file.Path path) {
        ObjectNode content = (ObjectNode) Json.MAPPER.readTree(contentJson);
        content.put("path", path.toAbsolutePath().toString());
        return content.toString();
    }

    /** A location pin. */
    public static String locationContent(double latitude, double longitude, String name, String address) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "location");
        content.put("latitude", latitude);
        content.put("longitude", longitude);
        if (name != null && !name.isBlank()) {
            content.put("name", name);
        }
        if (address != null && !address.isBlank()) {
            content.put("address", address);
        }
        return content.toString();
    }

    /** One or more contact cards (vCard 3.0 each), shown under {@code displayName}. */
    public static String contactsContent(String displayName, java.util.List<String> vcards) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "contacts");
        content.put("displayName", displayName);
        var list = content.putArray("vcards");
        vcards.forEach(list::add);
        return content.toString();
    }

    /** A reaction ({@code emoji} "" removes ours) to the message with this key. */
    public static String reactionContent(Quoted target, String emoji) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "reaction");
        content.put("emoji", emoji);
        key(content, target);
        return content.toString();
    }

    /** A poll: 2-12 options, of which {@code selectableCount} may be chosen (0 = any number). */
    public static String pollContent(String name, java.util.List<String> options, int selectableCount) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "poll");
        content.put("name", name);
        var list = content.putArray("options");
        options.forEach(list::add);
        content.put("selectableCount", selectableCount);
        return content.toString();
    }

    /** An edit of our own text message with this key. */
    public static String editContent(Quoted target, String text) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "edit");
        content.put("text", text);
        key(content, target);
        return content.toString();
    }

    /** Deletes (revokes for everyone) our own message with this key. */
    public static String revokeContent(Quoted target) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.put("type", "revoke");
        key(content, target);
        return content.toString();
    }

    private static void key(ObjectNode content, Quoted target) {
        ObjectNode key = content.putObject("key");
        key.put("id", target.id());
        key.put("remoteJid", target.chatJid());
        key.put("fromMe", target.fromMe());
        if (target.participant() != null) {
            key.put("participant", target.participant());
        }
    }

    private static void mentions(ObjectNode content, java.util.List<String> mentionJids) {
        if (mentionJids != null && !mentionJids.isEmpty()) {
            var list = content.putArray("mentions");
            mentionJids.forEach(list::add);
        }
    }
}
