package com.wagateway.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Contacts through the real engine (the real Baileys socket against the emulator's usync and
 * profile-picture IQs) and real PostgreSQL: existence checks in one batch with LIDs and a short
 * cache, the names list with phone and LID, profile pictures set and hidden, bad input and
 * someone else's connection answered without asking WhatsApp anything.
 */
class ContactsIntegrationTest {

    static GatewayHarness gw;
    static final String ID = "ct_main";
    static final String SARA = "923001110000";     // on WhatsApp, picture set
    static final String NOBODY = "923009990000";   // not on WhatsApp
    static final String HIDDEN = "923001110001";   // on WhatsApp, hides her picture

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("contacts"));
        gw.link(ID, "923005550000");
        contact("{\"phone\":\"" + NOBODY + "\",\"on_whatsapp\":false}");
        contact("{\"phone\":\"" + SARA + "\",\"picture\":\"set\"}");
        contact("{\"phone\":\"" + HIDDEN + "\",\"picture\":\"hidden\"}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static void contact(String body) {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/contacts", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    @Test
    void checkAnswersExistingAndUnknownNumbersInOneRequestInOrderWithLidsAndCachesTheAnswer() {
        ApiClient.Response r = gw.get("/api/connections/" + ID + "/contacts/check?phone=" + SARA + "&phone=" + NOBODY
                + "&phone=%2B92%20300%20111%200001&phone=" + SARA);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode list = r.json();
        assertThat(list.size()).as("one answer per distinct number").isEqualTo(3);
        assertThat(list.get(0).path("phone").asString()).isEqualTo(SARA);
        assertThat(list.get(0).path("exists").asBoolean()).isTrue();
        assertThat(list.get(0).path("jid").asString()).isEqualTo(SARA + "@s.whatsapp.net");
        String lid = list.get(0).path("lid").asString();
        assertThat(lid).matches("[0-9]+@lid");
        assertThat(list.get(1).path("phone").asString()).isEqualTo(NOBODY);
        assertThat(list.get(1).path("exists").asBoolean()).isFalse();
        assertThat(list.get(1).path("jid").isNull()).isTrue();
        assertThat(list.get(1).path("lid").isNull()).isTrue();
        assertThat(list.get(2).path("phone").asString()).isEqualTo(HIDDEN);
        assertThat(list.get(2).path("exists").asBoolean()).isTrue();
        // the LID is remembered for everything else (messages, webhooks)
        assertThat(gw.count("SELECT count(*) FROM lid_mappings WHERE connection_id = ? AND lid = ? AND pn = ?",
                ID, lid, SARA + "@s.whatsapp.net")).isEqualTo(1);

        // answers are reused for a few minutes: WhatsApp is not asked again (Sara left meanwhile)
        contact("{\"phone\":\"" + SARA + "\",\"on_whatsapp\":false}");
        try {
            JsonNode cached = gw.get("/api/connections/" + ID + "/contacts/check?phone=" + SARA).json();
            assertThat(cached.get(0).path("exists").asBoolean()).isTrue();
            assertThat(cached.get(0).path("lid").asString()).isEqualTo(lid);
        } finally {
            contact("{\"phone\":\"" + SARA + "\",\"on_whatsapp\":true}");
        }
    }

    @Test
    void badInputIsA400AndAsksNothing() {
        String many = IntStream.range(0, 51).mapToObj(i -> "phone=9230011" + String.format("%05d", i)).collect(Collectors.joining("&"));
        assertError(gw.get("/api/connections/" + ID + "/contacts/check?" + many), 400, "too_many_phones");
        assertError(gw.get("/api/connections/" + ID + "/contacts/check?phone=" + SARA + "&phone=12ab"), 400, "invalid_phone");
        assertError(gw.get("/api/connections/" + ID + "/contacts/check?phone=0300123456"), 400, "invalid_phone");
        assertError(gw.get("/api/connections/" + ID + "/contacts/check"), 400, "phone_required");
        assertError(gw.get("/api/connections/" + ID + "/contacts/not-a-phone/picture"), 400, "invalid_phone");
        assertError(gw.get("/api/connections/nope_404/contacts"), 404, "connection_not_found");
        // fifty is fine (one query)
        String fifty = IntStream.range(0, 50).mapToObj(i -> "phone=9230022" + String.format("%05d", i)).collect(Collectors.joining("&"));
        ApiClient.Response ok = gw.get("/api/connections/" + ID + "/contacts/check?" + fifty);
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.json().size()).isEqualTo(50);
    }

    @Test
    void pictureIsAUrlWhenSetAndNullWhenHiddenOrAbsent() throws Exception {
        gw.get("/api/connections/" + ID + "/contacts/check?phone=" + SARA); // learns Sara's LID (or answers from the cache)
        JsonNode set = gw.get("/api/connections/" + ID + "/contacts/" + SARA + "/picture").json();
        assertThat(set.path("phone").asString()).isEqualTo(SARA);
        assertThat(set.path("lid").asString()).as("both phone and LID where known").matches("[0-9]+@lid");
        String url = set.path("url").asString();
        assertThat(url).matches("http://127\\.0\\.0\\.1:[0-9]+/pp/" + SARA + "/[0-9]+\\.png");
        // HTTP/1.1: the emulator's loopback server treats an h2c upgrade as a WebSocket dial
        java.net.http.HttpResponse<byte[]> image = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.headers().firstValue("content-type")).hasValue("image/png");
        JsonNode hidden = gw.get("/api/connections/" + ID + "/contacts/%2B" + HIDDEN + "/picture").json();
        assertThat(hidden.path("phone").asString()).isEqualTo(HIDDEN);
        assertThat(hidden.has("url")).isTrue();
        assertThat(hidden.path("url").isNull()).isTrue();
        assertThat(gw.get("/api/connections/" + ID + "/contacts/923001119999/picture").json().path("url").isNull()).isTrue();
    }

    @Test
    void theListHasPushNamesWithPhoneAndLidAlsoForAContactWritingFromItsLid() {
        String lidWriter = "923004440000";
        send("{\"from\":\"" + SARA + "\",\"message\":\"hi\",\"push_name\":\"Sara P\"}");
        send("{\"from\":\"" + lidWriter + "\",\"message\":\"hello\",\"push_name\":\"Layla\",\"as_lid\":true}");
        List<JsonNode> rows = awaitContacts(l -> l.stream().anyMatch(c -> "Sara P".equals(c.path("push_name").asString()))
                && l.stream().anyMatch(c -> "Layla".equals(c.path("push_name").asString()) && !c.path("phone").isNull()));
        JsonNode sara = rows.stream().filter(c -> "Sara P".equals(c.path("push_name").asString())).findFirst().orElseThrow();
        assertThat(sara.path("phone").asString()).isEqualTo(SARA);
        JsonNode layla = rows.stream().filter(c -> "Layla".equals(c.path("push_name").asString())).findFirst().orElseThrow();
        assertThat(layla.path("phone").asString()).as("never a LID as the phone").isEqualTo(lidWriter);
        assertThat(layla.path("lid").asString()).matches("[0-9]+@lid");
        assertThat(rows.stream().filter(c -> lidWriter.equals(c.path("phone").asString())).count()).as("one row per contact").isEqualTo(1);
    }

    @Test
    void anotherUsersConnectionIsNotFound() {
        ApiClient bob = gw.withKey(gw.newUserKey("carol@example.com"));
        for (ApiClient.Response r : List.of(
                bob.get("/api/connections/" + ID + "/contacts/check?phone=" + SARA),
                bob.get("/api/connections/" + ID + "/contacts"),
                bob.get("/api/connections/" + ID + "/contacts/" + SARA + "/picture"),
                bob.post("/api/connections/" + ID + "/pairing-code", "{\"phone\":\"" + SARA + "\"}"),
                bob.post("/api/sandbox/" + ID + "/contacts", "{\"phone\":\"" + SARA + "\",\"picture\":\"none\"}"))) {
            assertError(r, 404, "connection_not_found");
        }
        assertThat(gw.get("/api/connections/" + ID).json().path("status").asString()).isEqualTo("ready");
    }

    static void send(String body) {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/inbound", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    static List<JsonNode> awaitContacts(java.util.function.Predicate<List<JsonNode>> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = gw.get("/api/connections/" + ID + "/contacts");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            last = new ArrayList<>();
            for (JsonNode c : r.json()) {
                last.add(c);
            }
            if (until.test(last)) {
                return last;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("contacts never matched; last: " + last);
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
    }
}
