package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document served by the running gateway ({@code /v3/api-docs}) is one clients can
 * trust: JSON everywhere, every answer declared with the error schema, and the snapshot the
 * dashboard's types are generated from ({@code frontend/openapi.json}) is what the app serves.
 */
class OpenApiDocumentIntegrationTest {

    /** Where the dashboard's generated API types come from (see frontend/package.json, gen:api). */
    static final Path SNAPSHOT = Path.of("frontend", "openapi.json");
    static final String REFRESH = "./mvnw test -Dtest=OpenApiDocumentIntegrationTest -Dopenapi.update=true "
            + "-DskipFrontendTests -DskipEngineTests, then: cd frontend && npm run gen:api";
    static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    static GatewayHarness gw;
    static JsonNode doc;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("openapi"));
        ApiClient.Response r = gw.anonymous().get("/v3/api-docs");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        doc = r.json();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void noOperationDeclaresAnyContentTypeButJson() {
        List<String> notJson = new ArrayList<>();
        collectContentTypes(doc.path("paths"), "", notJson);
        assertThat(notJson).as("content types other than application/json").isEmpty();
    }

    @Test
    void everyOperationDeclaresSuccessAndErrorsWithTheErrorSchema() {
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                operations++;
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                JsonNode responses = op.getValue().path("responses");
                boolean success = false;
                boolean clientError = false;
                for (Map.Entry<String, JsonNode> r : responses.properties()) {
                    String code = r.getKey();
                    if (code.startsWith("2")) {
                        success = true;
                        if (!r.getValue().path("content").path("application/json").has("schema")) {
                            problems.add(name + " " + code + " has no JSON schema");
                        }
                    } else if (code.startsWith("4") || code.startsWith("5")) {
                        clientError |= code.startsWith("4");
                        String ref = r.getValue().path("content").path("application/json").path("schema").path("$ref").asString("");
                        if (!ref.equals("#/components/schemas/ErrorBody")) {
                            problems.add(name + " " + code + " is not the error schema: " + ref);
                        }
                    } else {
                        problems.add(name + " declares " + code);
                    }
                }
                if (!success) {
                    problems.add(name + " declares no 2xx");
                }
                if (!clientError) {
                    problems.add(name + " declares no 4xx");
                }
            }
        }
        assertThat(operations).as("operations in the document").isGreaterThan(30);
        assertThat(problems).isEmpty();
    }

    @Test
    void sendMessageDeclaresSentQueuedAndConflict() {
        JsonNode responses = doc.path("paths").path("/api/send-message").path("post").path("responses");
        assertThat(fieldNames(responses)).contains("200", "202", "400", "401", "409", "415", "503");
        String sendResponse = "#/components/schemas/SendResponse";
        assertThat(responses.path("200").path("content").path("application/json").path("schema").path("$ref").asString())
                .isEqualTo(sendResponse);
        assertThat(responses.path("202").path("content").path("application/json").path("schema").path("$ref").asString())
                .isEqualTo(sendResponse);
    }

    @Test
    void specificAnswersAreDeclaredWhereTheyHappen() {
        JsonNode paths = doc.path("paths");
        assertThat(fieldNames(paths.path("/api/connections").path("post").path("responses"))).contains("201", "409");
        assertThat(fieldNames(paths.path("/api/auth/login").path("post").path("responses"))).contains("200", "401", "429");
        assertThat(fieldNames(paths.path("/api/auth/login").path("post").path("responses"))).doesNotContain("403", "404");
        assertThat(fieldNames(paths.path("/api/webhook-logs/{event_id}/redeliver").path("post").path("responses")))
                .contains("202", "404", "409");
        assertThat(fieldNames(paths.path("/api/users").path("get").path("responses"))).contains("200", "401", "403");
    }

    /** The error schema is ErrorBody's fields, as the API really answers them. */
    @Test
    void errorSchemaMatchesWhatTheApiAnswers() {
        JsonNode schemas = doc.path("components").path("schemas");
        JsonNode error = schemas.path("ErrorBody");
        assertThat(fieldNames(error.path("properties"))).containsExactly("error");
        String detailRef = error.path("properties").path("error").path("$ref").asString();
        JsonNode detail = schemas.path(detailRef.substring(detailRef.lastIndexOf('/') + 1));
        Set<String> declared = fieldNames(detail.path("properties"));
        assertThat(declared).containsExactlyInAnyOrder("status", "code", "message", "field", "path");

        ApiClient.Response real = gw.get("/api/connections/no-such-connection");
        assertThat(real.status()).isEqualTo(404);
        assertThat(fieldNames(real.json())).containsExactly("error");
        assertThat(fieldNames(real.json().path("error"))).isEqualTo(declared);
    }

    /** Every Socket.IO event the gateway pushes is listed with its payload schema. */
    @Test
    void realtimeEventsAreListedWithTheirPayloads() {
        JsonNode events = doc.path("x-realtime-events");
        assertThat(fieldNames(events)).isEqualTo(new TreeSet<>(com.wagateway.realtime.RealtimeEvents.PAYLOADS.keySet()));
        assertThat(events.path("connection.status").asString()).isEqualTo("#/components/schemas/ConnectionView");
        assertThat(events.path("message.new").asString()).isEqualTo("#/components/schemas/MessageView");
        for (JsonNode ref : events) {
            String name = ref.asString().substring(ref.asString().lastIndexOf('/') + 1);
            JsonNode schema = doc.path("components").path("schemas").path(name);
            assertThat(schema.path("properties").has("connection_id")).as(name).isTrue();
            assertThat(schema.path("required").toString()).as(name + " required").contains("\"connection_id\"");
        }
    }

    /**
     * Real answers, of every kind the dashboard reads, match the schema the document declares for
     * their status: the status is declared, required fields are present, a field not declared
     * nullable is never null, enums hold, and no answer carries a field the document leaves out.
     */
    @Test
    void realAnswersMatchTheirDeclaredSchemas() {
        String id = "openapi-real";
        gw.link(id, "923009990002");
        String peer = "923001112299";
        List<String> problems = new ArrayList<>();
        check(problems, "post", "/api/send-message", gw.post("/api/send-message", "{\"connection_id\":\"" + id
                + "\",\"to\":\"" + peer + "\",\"message\":\"schema check\",\"client_message_id\":\"openapi-1\"}"));
        check(problems, "get", "/api/connections", gw.get("/api/connections"));
        check(problems, "get", "/api/connections/{id}", gw.get("/api/connections/" + id));
        check(problems, "get", "/api/whatsapp-web/status/{id}", gw.get("/api/whatsapp-web/status/" + id));
        check(problems, "get", "/api/whatsapp-web/qr/{id}", gw.get("/api/whatsapp-web/qr/" + id));
        ApiClient.Response chats = gw.get("/api/connections/" + id + "/chats");
        check(problems, "get", "/api/connections/{connection_id}/chats", chats);
        String jid = chats.json().path("chats").path(0).path("chat_jid").asString();
        assertThat(jid).as("the chat of the message just sent").isNotEmpty();
        check(problems, "get", "/api/connections/{connection_id}/chats/{chat}/messages",
                gw.get("/api/connections/" + id + "/chats/" + jid + "/messages"));
        check(problems, "get", "/api/connections/{connection_id}/messages/{client_message_id}",
                gw.get("/api/connections/" + id + "/messages/openapi-1"));
        check(problems, "get", "/api/connections/{id}/webhook", gw.get("/api/connections/" + id + "/webhook"));
        check(problems, "get", "/api/connections/{id}/webhook-logs", gw.get("/api/connections/" + id + "/webhook-logs"));
        check(problems, "get", "/api/info", gw.get("/api/info"));
        check(problems, "get", "/api/auth/me", gw.get("/api/auth/me"));
        check(problems, "post", "/api/api-keys", gw.post("/api/api-keys", "{\"name\":\"schema check\"}"));
        check(problems, "get", "/api/api-keys", gw.get("/api/api-keys"));
        check(problems, "get", "/api/users", gw.get("/api/users"));
        check(problems, "post", "/api/realtime/token", gw.post("/api/realtime/token", "{}"));
        check(problems, "get", "/api/connections/{id}", gw.get("/api/connections/no-such-one"));
        assertThat(problems).isEmpty();
    }

    /** Validates one real answer against the schema declared for its status (problems are collected). */
    private static void check(List<String> problems, String method, String template, ApiClient.Response r) {
        String name = method.toUpperCase() + " " + template + " " + r.status();
        JsonNode declared = doc.path("paths").path(template).path(method).path("responses").path(Integer.toString(r.status()));
        if (declared.isMissingNode()) {
            problems.add(name + ": status not declared (" + r.raw() + ")");
            return;
        }
        validate(r.json(), declared.path("content").path("application/json").path("schema"), name, problems);
    }

    private static void validate(JsonNode value, JsonNode schema, String where, List<String> problems) {
        if (schema.has("$ref")) {
            String ref = schema.path("$ref").asString();
            validate(value, doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1)), where, problems);
            return;
        }
        if (schema.has("anyOf")) {
            for (JsonNode branch : schema.path("anyOf")) {
                List<String> mine = new ArrayList<>();
                validate(value, branch, where, mine);
                if (mine.isEmpty()) {
                    return;
                }
            }
            problems.add(where + ": matches no anyOf branch: " + value);
            return;
        }
        Set<String> types = new TreeSet<>();
        if (schema.path("type").isArray()) {
            schema.path("type").forEach(t -> types.add(t.asString()));
        } else if (schema.has("type")) {
            types.add(schema.path("type").asString());
        }
        if (value.isNull()) {
            if (!types.isEmpty() && !types.contains("null")) {
                problems.add(where + ": null, but not declared nullable");
            }
            return;
        }
        if (schema.has("enum") && !schema.path("enum").toString().contains(value.toString())) {
            problems.add(where + ": " + value + " is not one of " + schema.path("enum"));
        }
        if (value.isObject() && schema.has("properties")) {
            schema.path("required").forEach(req -> {
                if (!value.has(req.asString())) {
                    problems.add(where + ": required " + req.asString() + " is missing");
                }
            });
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                JsonNode property = schema.path("properties").path(field.getKey());
                if (property.isMissingNode()) {
                    problems.add(where + ": " + field.getKey() + " is not in the schema");
                } else {
                    validate(field.getValue(), property, where + "." + field.getKey(), problems);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                validate(item, schema.path("items"), where + "[" + i++ + "]", problems);
            }
        }
    }

    /** Property names follow the wire (snake_case), so generated types match real bodies. */
    @Test
    void schemasUseTheWireNames() {
        JsonNode view = doc.path("components").path("schemas").path("ConnectionView").path("properties");
        gw.post("/api/connections", "{\"connection_id\":\"openapi-names\"}");
        ApiClient.Response real = gw.get("/api/connections/openapi-names");
        assertThat(real.status()).as(real.raw()).isEqualTo(200);
        assertThat(fieldNames(view)).isNotEmpty().isEqualTo(fieldNames(real.json()));
        // the API writes every field (nulls included): all are required; only some may be null
        JsonNode schema = doc.path("components").path("schemas").path("ConnectionView");
        Set<String> required = new TreeSet<>();
        schema.path("required").forEach(n -> required.add(n.asString()));
        assertThat(required).isEqualTo(fieldNames(view));
        assertThat(view.path("connection_id").path("type").asString()).isEqualTo("string");
        assertThat(view.path("reason").path("type").toString()).contains("\"null\"");
        assertThat(real.json().path("reason").isNull()).isTrue();
        // a request body requires nothing: the server checks its fields itself
        assertThat(doc.path("components").path("schemas").path("SendTextRequest").has("required")).isFalse();
    }

    /**
     * The committed snapshot equals what the app serves (servers left out: they name the test's
     * random port). With {@code -Dopenapi.update=true} the snapshot is written instead.
     */
    @Test
    void committedSnapshotIsCurrent() throws IOException {
        ObjectNode served = ((ObjectNode) doc).deepCopy();
        served.remove("servers");
        String text = PRETTY.writeValueAsString(served) + "\n";
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(SNAPSHOT, text, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(SNAPSHOT)).as(SNAPSHOT + " is missing; run " + REFRESH).isTrue();
        String committed = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        assertThat(committed.equals(text))
                .as(SNAPSHOT + " differs from the document the gateway serves; run " + REFRESH)
                .isTrue();
    }

    private static void collectContentTypes(JsonNode node, String where, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("content")) {
                    for (String type : fieldNames(e.getValue())) {
                        if (!type.equals("application/json")) {
                            out.add(where + " " + type);
                        }
                    }
                }
                collectContentTypes(e.getValue(), where + "/" + e.getKey(), out);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                collectContentTypes(n, where, out);
            }
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
