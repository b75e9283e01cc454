package com.wagateway.controllers.dto;

import com.wagateway.wire.NeverNull;
import com.wagateway.messaging.MessageView;
import java.util.List;

/**
 * Small answers that have no richer type of their own. Declared as records (not maps) so the
 * OpenAPI document, and the dashboard types generated from it, name every field; the JSON is the
 * same the maps gave (snake_case, nulls included).
 */
public final class Answers {

    private Answers() {
    }

    /** A page of chats, newest first; {@code next_cursor} is the {@code before} of the next page (null at the end). */
    public record ChatPage(List<ChatView> chats, String nextCursor) {
    }

    /** A page of one chat's messages, newest first; {@code next_cursor} as in {@link ChatPage}. */
    public record MessagePage(List<MessageView> messages, String nextCursor) {
    }

    /**
     * The chat was opened: its unread count is now zero. {@code read_receipts_sent}: WhatsApp read
     * receipts sent for the messages that were unread (0 when the setting is off).
     */
    public record ChatRead(@NeverNull String chatJid, int unreadCount, int readReceiptsSent) {
    }

    /** A connection (or its webhook) was removed. */
    public record Deleted(@NeverNull String connectionId, boolean deleted) {
    }

    /** The dashboard session ended (true also when there was none). */
    public record LoggedOut(boolean loggedOut) {
    }

    /** Where the CSRF token lives and which header carries it back. */
    public record CsrfInfo(@NeverNull String cookieName, @NeverNull String headerName) {
    }

    /** A password was reset; {@code password} is the generated one, shown once (null when the caller chose it). */
    public record PasswordReset(@NeverNull String id, boolean passwordReset, String password) {
    }

    /** {@code GET /api/sandbox/{id}/sent}: what the emulator's contacts decrypted, oldest first. */
    public record SandboxSent(@NeverNull String connectionId, @NeverNull List<com.wagateway.whatsapp.EngineCommands.SentToContact> messages) {
    }
}
