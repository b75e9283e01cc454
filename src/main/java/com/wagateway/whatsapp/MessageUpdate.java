package com.wagateway.whatsapp;

import tools.jackson.databind.JsonNode;

/**
 * One entry of {@code messages.update}'s {@code updates}, typed: a status change (receipt) of a
 * message, or an edit / delete of its content.
 *
 * @param id       WhatsApp's message id ({@code key.id}); null makes the entry unusable
 * @param fromMe   the message is one of ours ({@code key.fromMe}): only then is a status ours to store
 * @param status   the status name ({@code delivered}, {@code read}, {@code played}, {@code failed}, ...) or null
 * @param error    why a {@code failed} status failed, or null
 * @param edit     the message's new content, or null
 * @param revoked  the message was deleted for everyone
 */
public record MessageUpdate(String id, boolean fromMe, String status, String error, Edit edit, boolean revoked) {

    /** A new content: its text and Baileys' content as JSON text (null when the engine sent none). */
    public record Edit(String text, String contentJson) {
    }

    /** Reads one update entry. */
    static MessageUpdate from(JsonNode u) {
        JsonNode key = u.path("key");
        JsonNode edit = u.get("edit");
        return new MessageUpdate(MappedMessage.text(key, "id"), key.path("fromMe").asBoolean(false),
                MappedMessage.text(u, "status"), MappedMessage.text(u, "error"),
                edit == null || edit.isNull() ? null : new Edit(MappedMessage.text(edit, "text"),
                        edit.hasNonNull("message") ? edit.get("message").toString() : null),
                u.path("revoked").asBoolean(false));
    }

    /** True when the content changed (an edit or a delete for everyone). */
    public boolean changesContent() {
        return edit != null || revoked;
    }
}
