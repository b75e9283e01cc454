package com.wagateway.messaging;

import com.fasterxml.jackson.annotation.JsonValue;
import com.wagateway.shared.Json;

/**
 * The structured extras of a stored message ({@code messages.details}, README "Message details"):
 * a reaction's target, a poll's options, an undecryptable reason, a group notification's
 * participants, the view-once and forwarded flags, and so on. The engine decides them
 * ({@code parsed.details}); Java only stores them and writes them out unchanged, so the API, the
 * realtime events and the webhooks show one schema. Written as the JSON object it holds.
 */
public record MessageDetails(@JsonValue Json.Value value) {

    /** The details stored as JSON object text; null (no details) stays null. */
    public static MessageDetails of(String json) {
        return json == null ? null : new MessageDetails(Json.Value.parse(json));
    }
}
