package com.wagateway.controllers.dto;

import com.wagateway.database.ConnectionSettingsRepository.SettingsRow;
import com.wagateway.whatsapp.ChatCommands;
import com.wagateway.wire.NeverNull;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** Bodies of the per-connection settings, presence and their sandbox endpoints (issue 16 parts 4 and 5). */
public final class SettingsDtos {

    private SettingsDtos() {
    }

    /** A connection's settings as stored ({@code send_rate_per_minute} / {@code send_burst} null = the global pace). */
    @Schema(name = "ConnectionSettings")
    public record SettingsView(@NeverNull String connectionId, boolean rejectCalls, String callReplyText, boolean ignoreGroups,
                               boolean ignoreBroadcasts, boolean sendReadReceipts, boolean alwaysOnline, boolean syncHistory,
                               Integer sendRatePerMinute, Integer sendBurst, Instant updatedAt) {
        public static SettingsView of(SettingsRow s) {
            return new SettingsView(s.connectionId(), s.rejectCalls(), s.callReplyText(), s.ignoreGroups(), s.ignoreBroadcasts(),
                    s.sendReadReceipts(), s.alwaysOnline(), s.syncHistory(), s.sendRatePerMinute(), s.sendBurst(), s.updatedAt());
        }
    }

    /**
     * {@code PUT /api/connections/{id}/settings}: any of these fields; the others keep their values.
     * Unknown fields are refused. {@code null} clears {@code call_reply_text} and gives the pace
     * back to the global setting. (Documentation schema: the body is read field by field.)
     */
    @Schema(name = "ConnectionSettingsChange")
    public record SettingsChange(Boolean rejectCalls,
                                 @Schema(description = "text sent to a caller whose call was rejected (1-4096 characters); null = none") String callReplyText,
                                 Boolean ignoreGroups, Boolean ignoreBroadcasts, Boolean sendReadReceipts, Boolean alwaysOnline,
                                 Boolean syncHistory,
                                 @Schema(description = "0-10000 per minute (0 = no limit); null = SEND_RATE_PER_MINUTE") Integer sendRatePerMinute,
                                 @Schema(description = "1-1000; null = SEND_BURST") Integer sendBurst) {
    }

    /** The answer to a change: the settings, and the presence sent because {@code always_online} changed (else null). */
    @Schema(name = "ConnectionSettingsSaved")
    public record SettingsSaved(@NeverNull String connectionId, SettingsView settings, String presenceSent) {
    }

    /** {@code POST /api/connections/{id}/presence}: {@code {"to":"923001112233","state":"composing"}}. */
    @Schema(name = "PresenceRequest")
    public record PresenceRequest(String to, @Schema(allowableValues = {"composing", "recording", "paused", "available", "unavailable"}) String state) {
    }

    /** The presence went out to {@code to} (a JID); the connection now follows that contact's presence. */
    @Schema(name = "PresenceSent")
    public record PresenceSent(@NeverNull String connectionId, @NeverNull String to, @NeverNull String state, boolean subscribed) {
    }

    /** Sandbox: a contact shows a presence: {@code {"from":"923001112233","state":"composing"}}. */
    @Schema(name = "SandboxPresence")
    public record SandboxPresence(String from, String state) {
    }

    /** Sandbox: a contact calls: {@code {"from":"923001112233","video":false}}. */
    @Schema(name = "SandboxCall")
    public record SandboxCall(String from, Boolean video) {
    }

    /** Sandbox: the call went out to the connection's device(s). */
    @Schema(name = "SandboxCallStarted")
    public record CallStarted(@NeverNull String connectionId, @NeverNull String callId, @NeverNull String from, boolean video) {
    }

    /** Sandbox: what a simulated contact got from the connection. */
    @Schema(name = "SandboxContactView")
    public record ContactView(@NeverNull String connectionId, @NeverNull String phone,
                              @Schema(description = "chat states shown to this contact, oldest first (composing, recording, paused)") List<String> states,
                              boolean subscribed,
                              @Schema(description = "the account's last own presence (available / unavailable), null when none was sent") String online,
                              List<Call> calls, List<Received> messages) {
        public static ContactView of(String connectionId, ChatCommands.ContactView v) {
            return new ContactView(connectionId, v.phone(), v.states(), v.subscribed(), v.online(),
                    v.calls().stream().map(c -> new Call(c.callId(), c.video(), c.rejected())).toList(),
                    v.messages().stream().map(m -> new Received(m.providerMessageId(), m.receipts())).toList());
        }
    }

    /** A call the contact made and whether the connection rejected it. */
    @Schema(name = "SandboxContactCall")
    public record Call(@NeverNull String callId, boolean video, boolean rejected) {
    }

    /** A message the contact sent, with the receipt types the connection answered ({@code delivery}, {@code read}, …). */
    @Schema(name = "SandboxContactMessage")
    public record Received(@NeverNull String providerMessageId, List<String> receipts) {
    }
}
