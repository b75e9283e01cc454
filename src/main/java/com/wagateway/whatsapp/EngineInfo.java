package com.wagateway.whatsapp;

import tools.jackson.databind.JsonNode;

/**
 * The running engine's handshake answer ({@code hello}'s result).
 *
 * @param mode     {@code baileys} or {@code sandbox}
 * @param version  the engine's own version
 * @param baileys  the Baileys version it runs
 */
public record EngineInfo(String mode, String version, String baileys) {

    static EngineInfo from(JsonNode hello) {
        return new EngineInfo(hello.path("mode").asString(), hello.path("version").asString(),
                hello.path("baileys").asString());
    }
}
