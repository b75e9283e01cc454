package com.wagateway.messaging;

import com.wagateway.shared.Json;
import com.wagateway.database.MessageRepository;
import com.wagateway.whatsapp.EngineRequestHandler;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers Baileys' {@code getMessage} (a recipient's retry receipt asks us to re-encrypt one of our
 * messages) from the content stored in PostgreSQL, so retries work after a restart too — not
 * only from Baileys' in-memory cache. The key's chat may be in LID form, so the lookup is by
 * WhatsApp id on that connection.
 */
@Component
public class StoredContentRequests implements EngineRequestHandler {

    private final MessageRepository messages;
    private final JsonMapper json = Json.MAPPER;

    public StoredContentRequests(MessageRepository messages) {
        this.messages = messages;
    }

    @Override
    public JsonNode handle(String request, String connectionId, JsonNode data) {
        if (!"getMessage".equals(request)) {
            return null;
        }
        String id = data.path("key").path("id").asString(null);
        ObjectNode result = json.createObjectNode();
        result.set("message", id == null ? null
                : messages.findContent(connectionId, id).map(json::readTree).orElse(null));
        return result;
    }
}
