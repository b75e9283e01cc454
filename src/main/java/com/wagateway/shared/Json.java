package com.wagateway.shared;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper for the gateway's own JSON (webhook payloads, stored message content,
 * engine commands, error bodies written outside Spring MVC). Jackson mappers are thread-safe and
 * costly to build, so one instance serves everyone. HTTP request bodies are read by Spring's
 * mapper instead, which {@code StrictJsonConfig} makes strict for client input.
 */
public final class Json {

    /** Jackson's defaults: what every former private mapper used. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }
}
