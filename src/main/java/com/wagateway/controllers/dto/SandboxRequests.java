package com.wagateway.controllers.dto;

import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.deser.jdk.StringDeserializer;

/** Bodies of the sandbox phone's endpoints. */
public final class SandboxRequests {

    private SandboxRequests() {
    }

    /** The simulated phone scans the QR: {@code {"phone":"923001234567","name":"Ali"}}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxScan")
    public record Scan(String phone, String name) {
    }

    /** The simulated server closes the socket: {@code {"code":428}}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxDrop")
    public record Drop(Integer code) {
    }

    /**
     * A contact sends a message: {@code {"from":"923001112233","message":"hi",
     * "reply_to_provider_message_id":null,"type":"text"}}; {@code as_lid} makes the chat
     * LID-addressed, {@code push_name} is the contact's name. {@code message} and {@code push_name}
     * may contain NUL characters (refused in every other request body): the simulated contact is
     * WhatsApp, which can deliver them, and the gateway must store such a message, not lose it.
     * Type {@code poll_vote}: the contact votes {@code options} (option names) on our poll
     * {@code reply_to_provider_message_id}.
     * Media types may carry the file itself: {@code media_base64} (plain base64, at most 16 MB),
     * {@code file_name}, {@code mime_type}, {@code seconds}; without it a tiny sample image is sent.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxInbound")
    public record Inbound(String from, @JsonDeserialize(using = StringDeserializer.class) String message,
                          String replyToProviderMessageId, String type, Boolean asLid,
                          @JsonDeserialize(using = StringDeserializer.class) String pushName, String messageId,
                          java.util.List<String> options, String mediaBase64, String fileName, String mimeType, Integer seconds) {
    }

    /** The recipient's phone sends a receipt: {@code {"provider_message_id":"3EB0…","status":"read"}}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxReceipt")
    public record Receipt(String providerMessageId, String status) {
    }

    /** The next {@code count} sends fail with Baileys status {@code code} (default 500). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxFail")
    public record Fail(Integer count, Integer code) {
    }

    /** The simulated phone types the pairing code: {@code {"code":"ABCD-EFGH"}}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxPair")
    public record Pair(String code) {
    }

    /**
     * What a simulated contact shows: {@code {"phone":"923001112233","name":"Sara","on_whatsapp":true,"picture":"set"}};
     * {@code picture} is {@code set}, {@code hidden} or {@code none}; absent fields stay as they are.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxContact")
    public record Contact(String phone, String name, Boolean onWhatsapp, String picture) {
    }

    /**
     * WhatsApp restricts the account: {@code {"kind":"reachout_timelock","until":"2026-12-01T18:00:00Z",
     * "enforcement_type":"BIZ_QUALITY"}}; {@code kind} also {@code message_capping}; {@code until}
     * defaults to 24 hours from now; {@code silent: true} sends no notification (the gateway then
     * learns of it from WhatsApp's 463 on a message to a new contact).
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxRestrict")
    public record Restrict(String kind, String until, String enforcementType, Boolean silent) {
    }

    /** WhatsApp lifts the restriction: {@code {"kind":"reachout_timelock"}}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SandboxLift")
    public record Lift(String kind) {
    }
}
