package com.wagateway.shared;

import com.fasterxml.jackson.annotation.JsonValue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper for the gateway's own JSON (webhook payloads, stored message content,
 * engine commands, error bodies written outside Spring MVC). Jackson mappers are thread-safe and
 * costly to build, so one instance serves everyone. HTTP request bodies are read by Spring's
 * mapper instead, which {@code StrictJsonConfig} makes strict for client input.
 *
 * <p>Outside this class and the engine boundary ({@code com.wagateway.whatsapp}), no code
 * handles Jackson trees (a guard test keeps it so): free-form JSON travels as {@link Value}.
 */
public final class Json {

    /** Jackson's defaults: what every former private mapper used. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /**
     * A free-form JSON value carried through a response unchanged (e.g. the stored payload of a
     * webhook attempt): written as the JSON it holds, described in the API document as "any JSON
     * value".
     */
    public record Value(@JsonValue JsonNode tree) {

        /** The value of a JSON text; null stays null. */
        public static Value parse(String json) {
            return json == null ? null : new Value(MAPPER.readTree(json));
        }
    }
}
