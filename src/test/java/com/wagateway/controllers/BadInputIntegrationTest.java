package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Bad input gets one clear JSON error shape and changes nothing (no row, no folder). */
class BadInputIntegrationTest {

    static GatewayHarness gw;
    static final String LONG_ID = "x".repeat(65);

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("badinput"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "", "a b", "..", "ü"})
    void invalidIdsInBodiesAre400AndCreateNothing(String id) throws IOException {
        for (String path : new String[] {"/api/whatsapp-web/connect", "/api/whatsapp-web/disconnect", "/api/connections"}) {
            ApiClient.Response r = gw.post(path, "{\"connection_id\":" + GatewayHarness.JSON.writeValueAsString(id) + "}");
            assertError(r, 400, "invalid_connection_id");
            assertThat(r.json().path("error").path("field").asString()).isEqualTo("connection_id");
        }
        assertNothingCreated();
    }

    @Test
    void tooLongIdIs400Everywhere() throws IOException {
        assertError(gw.get("/api/get-qr/" + LONG_ID), 400, "invalid_connection_id");
        assertError(gw.get("/api/whatsapp-web/status/" + LONG_ID), 400, "invalid_connection_id");
        assertError(gw.post("/api/whatsapp-web/connect", "{\"tenantId\":\"" + LONG_ID + "\"}"), 400, "invalid_connection_id");
        assertNothingCreated();
    }

    @Test
    void encodedTraversalInThePathIs400Json() throws IOException {
        for (String raw : new String[] {"..%2Fx", "a%2Fb", "%2E%2E", "a%5Cb"}) {
            ApiClient.Response r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/get-qr/" + raw)).GET());
            assertThat(r.status()).as(raw + " -> " + r.raw()).isIn(400, 404);
            assertThat(r.contentType()).as(raw).startsWith("application/json");
            assertThat(r.json().path("error").path("status").asInt()).isEqualTo(r.status());
        }
        assertNothingCreated();
    }

    @Test
    void missingIdIs400() {
        assertError(gw.post("/api/whatsapp-web/connect", "{}"), 400, "invalid_connection_id");
    }

    @Test
    void malformedJsonIs400Json() throws IOException {
        assertError(gw.post("/api/whatsapp-web/connect", "{\"tenantId\": "), 400, "malformed_json");
        assertError(gw.post("/api/whatsapp-web/connect", ""), 400, "malformed_json");
        assertError(gw.post("/api/whatsapp-web/connect", "[1,2"), 400, "malformed_json");
        assertNothingCreated();
    }

    @Test
    void unknownRouteIs404Json() {
        assertError(gw.get("/api/nope"), 404, "not_found");
        assertError(gw.get("/nothing/here"), 404, "not_found");
    }

    @Test
    void wrongMethodIs405Json() {
        assertError(gw.delete("/api/get-qr/abc"), 405, "method_not_allowed");
    }

    @Test
    void wrongContentTypeIs415Json() {
        ApiClient.Response r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/whatsapp-web/connect"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertError(r, 415, "unsupported_media_type");
    }

    @Test
    void unknownConnectionIs404Json() {
        assertError(gw.get("/api/whatsapp-web/status/nobody_here"), 404, "connection_not_found");
        assertError(gw.post("/api/connections/nobody_here/logout", null), 404, "connection_not_found");
        assertError(gw.post("/api/connections/nobody_here/connect", null), 404, "connection_not_found");
        assertError(gw.get("/api/connections/nobody_here"), 404, "connection_not_found");
        assertError(gw.post("/api/sandbox/nobody_here/scan", "{\"phone\":\"923001234567\"}"), 404, "connection_not_found");
    }

    @Test
    void sandboxInputIsValidated() {
        gw.post("/api/connections", "{\"connection_id\":\"bad_sandbox\"}");
        assertError(gw.post("/api/sandbox/bad_sandbox/scan", "{\"phone\":\"12ab\"}"), 400, "invalid_phone");
        assertError(gw.post("/api/sandbox/bad_sandbox/drop", "{\"code\":99}"), 400, "invalid_code");
        assertError(gw.post("/api/sandbox/bad_sandbox/drop", "{}"), 400, "invalid_code");
        // no QR is showing on a stopped connection: the phone cannot scan
        assertError(gw.post("/api/sandbox/bad_sandbox/scan", "{\"phone\":\"923001234567\"}"), 409, "no_qr_showing");
        assertError(gw.post("/api/sandbox/bad_sandbox/drop", "{\"code\":428}"), 409, "not_connected");
    }

    @Test
    void duplicateCreateIs409() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"dup_one\"}").status()).isEqualTo(201);
        assertError(gw.post("/api/connections", "{\"connection_id\":\"dup_one\"}"), 409, "connection_exists");
    }

    /**
     * A NUL character anywhere in a JSON body is refused while the body is read (400, the field
     * named), so nothing reaches PostgreSQL, which cannot store it: no message, user or key row.
     */
    @Test
    void nulInARequestStringIs400WithTheFieldAndCreatesNothing() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"nul_text\"}").status()).isEqualTo(201);
        long messages = gw.count("SELECT count(*) FROM messages");
        long users = gw.count("SELECT count(*) FROM users");
        long keys = gw.count("SELECT count(*) FROM api_keys");

        assertField(gw.post("/api/send-message", "{\"connection_id\":\"nul_text\",\"to\":\"923001234567\","
                + "\"message\":\"a\\u0000b\"}"), "invalid_character", "message");
        assertField(gw.post("/api/send-image", "{\"connection_id\":\"nul_text\",\"to\":\"923001234567\","
                + "\"image_url\":\"https://example.com/a.png\",\"caption\":\"\\u0000\"}"), "invalid_character", "caption");
        assertField(gw.post("/api/users", "{\"email\":\"nul\\u0000@example.com\",\"password\":\"long-enough-password-1\","
                + "\"role\":\"user\"}"), "invalid_character", "email");
        assertField(gw.post("/api/api-keys", "{\"name\":\"crm\\u0000\"}"), "invalid_character", "name");

        assertThat(gw.count("SELECT count(*) FROM messages")).isEqualTo(messages);
        assertThat(gw.count("SELECT count(*) FROM users")).isEqualTo(users);
        assertThat(gw.count("SELECT count(*) FROM api_keys")).isEqualTo(keys);
    }

    /** No scalar coercion: a number is not text, text is not a number or a boolean (400, the field named). */
    @Test
    void wrongJsonTypesAre400WithTheFieldAndCreateNothing() {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"typed_conn\"}").status()).isEqualTo(201);
        long messages = gw.count("SELECT count(*) FROM messages");

        assertField(gw.post("/api/send-message", "{\"connection_id\":\"typed_conn\",\"to\":\"923001234567\","
                + "\"message\":5}"), "invalid_type", "message");
        assertField(gw.post("/api/send-message", "{\"connection_id\":\"typed_conn\",\"to\":923001234567,"
                + "\"message\":\"hi\"}"), "invalid_type", "to");
        assertField(gw.post("/api/send-message", "{\"connection_id\":\"typed_conn\",\"to\":\"923001234567\","
                + "\"message\":true}"), "invalid_type", "message");
        assertField(gw.post("/api/sandbox/typed_conn/fail", "{\"count\":\"5\"}"), "invalid_type", "count");
        assertField(gw.post("/api/sandbox/typed_conn/drop", "{\"code\":\"428\"}"), "invalid_type", "code");
        assertField(gw.post("/api/connections", "{\"connection_id\":42}"), "invalid_type", "connection_id");

        assertThat(gw.count("SELECT count(*) FROM messages")).isEqualTo(messages);
        assertThat(gw.count("SELECT count(*) FROM connections WHERE connection_id = '42'")).isZero();
    }

    /** multipart/form-data on a JSON endpoint is the wrong media type, not a server error. */
    @Test
    void multipartOnAJsonEndpointIs415() {
        for (String type : new String[] {"multipart/form-data", "multipart/form-data; boundary=xyz"}) {
            ApiClient.Response r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/connections"))
                    .header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString("--xyz\r\nContent-Disposition: form-data; name=\"connection_id\""
                            + "\r\n\r\nmultipart_conn\r\n--xyz--\r\n")));
            assertError(r, 415, "unsupported_media_type");
        }
        assertThat(gw.count("SELECT count(*) FROM connections WHERE connection_id = 'multipart_conn'")).isZero();
    }

    /**
     * A query parameter that is not valid percent-encoding, or a NUL in a parameter, a path or a
     * cursor ("fAA" is "|" + NUL in base64url), is the client's mistake: 400 JSON.
     * Sent over a raw socket, because java.net.URI refuses to build such a URL.
     */
    @Test
    void badPercentEncodingInAQueryIs400() throws IOException {
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"pct_conn\"}").status()).isEqualTo(201);
        for (String q : new String[] {"/api/connections/pct_conn/chats?before=%ZZ", "/api/connections/pct_conn/chats?before=%",
                "/api/connections/pct_conn/webhook-logs?before=%G1", "/api/connections/pct_conn/chats?before=%00",
                "/api/connections/pct_conn/chats?before=fAA", "/api/connections/pct_conn/webhook-logs?status=%00",
                "/api/connections/pct_conn/chats/a%00b/messages"}) {
            String answer = rawGet(q);
            assertThat(answer.lines().findFirst().orElse("")).as(q).matches("HTTP/1\\.[01] 400.*");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).as(q).contains("content-type: application/json");
            JsonNode body = GatewayHarness.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("error").path("status").asInt()).as(answer).isEqualTo(400);
        }
    }

    /** One HTTP/1.0 GET with the admin key, written byte for byte (no chunked answer); returns the whole answer. */
    private static String rawGet(String pathAndQuery) throws IOException {
        URI base = URI.create(gw.baseUrl());
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.0\r\nHost: " + base.getAuthority()
                    + "\r\nAuthorization: Bearer " + GatewayHarness.ADMIN_KEY + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static void assertField(ApiClient.Response r, String code, String field) {
        assertError(r, 400, code);
        assertThat(r.json().path("error").path("field").asString()).as(r.raw()).isEqualTo(field);
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode e = r.json().path("error");
        assertThat(e.path("status").asInt()).isEqualTo(status);
        assertThat(e.path("code").asString()).isEqualTo(code);
        assertThat(e.path("message").asString()).isNotBlank();
    }

    /** No connection row with a bad id, and nothing in the sessions folder but valid ids (and the nodes' markers, issue 17). */
    static void assertNothingCreated() throws IOException {
        JsonNode all = gw.get("/api/whatsapp-web/connections").json();
        assertThat(all.valueStream().map(n -> n.path("connection_id").asString()))
                .allMatch(id -> id.matches("^[A-Za-z0-9_-]{1,64}$"));
        Path sessions = gw.dataDir().resolve("sessions");
        if (Files.exists(sessions)) {
            try (Stream<Path> s = Files.list(sessions)) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".gateway-nodes")))
                        .allMatch(n -> n.matches("^[A-Za-z0-9_-]{1,64}$"));
            }
        }
        assertThat(Files.exists(gw.dataDir().resolve("x"))).isFalse();
        assertThat(Files.exists(gw.dataDir().resolve("sessions").resolve("a"))).isFalse();
    }
}
