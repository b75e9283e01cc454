package com.wagateway.whatsapp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes engine text storable, at the one place it enters Java: every line the engine writes is
 * passed through {@link #sanitizeLine} right after it is parsed, before any handler reads it.
 *
 * <p>WhatsApp can deliver text containing U+0000 (message bodies, captions, push names, chat
 * names, the raw content kept as jsonb). PostgreSQL refuses NUL in {@code text} and in
 * {@code jsonb}, so such a message used to fail its whole insert and be lost. Here every NUL in
 * every string value and field name becomes U+FFFD (the Unicode replacement character: visibly
 * "a character was here", never confused with an ordinary one), so no message is ever dropped for
 * its content. Each mapped message ({@code data.messages[i]}) that had one replaced gets
 * {@code "sanitized": true}, which the messaging layer stores with the message and reports in
 * the API and the webhook.
 */
public final class EngineText {

    /** The field added to a mapped message whose text was changed here. */
    public static final String SANITIZED = "sanitized";

    private static final char NUL = '\u0000';
    private static final char REPLACEMENT = '\uFFFD';

    private EngineText() {
    }

    /**
     * Whether a raw protocol line can hold a NUL at all: JSON has to escape it as {@code \u0000}
     * (Jackson refuses a raw control character), so a line without that escape is left alone and
     * the tree walk of {@link #sanitizeLine} stays off the hot path of ordinary lines.
     */
    public static boolean mayContainNul(String rawLine) {
        return rawLine.contains("\\u0000");
    }

    /**
     * Replaces every NUL in {@code line} (in place), marking the mapped messages it changed.
     * Returns true when anything was replaced.
     */
    public static boolean sanitizeLine(JsonNode line) {
        boolean changed = false;
        JsonNode messages = line.path("data").path("messages");
        if (messages instanceof ArrayNode array) {
            for (JsonNode m : array) {
                if (m instanceof ObjectNode message && sanitize(message)) {
                    message.put(SANITIZED, true);
                    changed = true;
                }
            }
        }
        return sanitize(line) || changed;
    }

    /** Replaces every NUL in the strings and field names of {@code node}'s tree (in place). */
    static boolean sanitize(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            List<String> badNames = new ArrayList<>();
            List<String> badValues = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                if (e.getKey().indexOf(NUL) >= 0) {
                    badNames.add(e.getKey());
                }
                if (e.getValue().isString() && e.getValue().asString().indexOf(NUL) >= 0) {
                    badValues.add(e.getKey());
                } else {
                    changed |= sanitize(e.getValue());
                }
            }
            for (String name : badValues) {
                object.put(name, clean(object.get(name).asString()));
                changed = true;
            }
            for (String name : badNames) {
                object.set(clean(name), object.remove(name));
                changed = true;
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode v = array.get(i);
                if (v.isString() && v.asString().indexOf(NUL) >= 0) {
                    array.set(i, array.stringNode(clean(v.asString())));
                    changed = true;
                } else {
                    changed |= sanitize(v);
                }
            }
        }
        return changed;
    }

    /** {@code s} with every NUL replaced by U+FFFD. */
    public static String clean(String s) {
        return s == null ? null : s.replace(NUL, REPLACEMENT);
    }
}
