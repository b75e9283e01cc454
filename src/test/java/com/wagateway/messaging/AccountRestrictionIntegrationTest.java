package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.services.ConnectionStatusChanged;
import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Account restriction signals through the real Baileys socket against the emulator and real
 * PostgreSQL: the emulator's mex notifications (reach-out time lock, message capping) reach the
 * status ({@code restricted}), the {@code connection.restricted} webhook and the realtime status;
 * messages to new contacts are refused while known contacts still receive; a 463 from WhatsApp
 * fails a message at once without a retry; a lift clears everything; bad input and someone
 * else's connection change nothing. The tests run in order on one linked connection.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccountRestrictionIntegrationTest {

    static final String ID = "rs_main";
    static final String KNOWN = "923001116600";      // wrote to the account first
    static final String STRANGER = "923007770001";   // never chatted with the account
    static final String STRANGER2 = "923007770002";
    static GatewayHarness gw;
    static WebhookReceiver rx;
    static List<ConnectionStatusChanged> published;
    /** connection.restricted webhooks of the earlier tests. */
    static int hooksBefore;
    static final String STRANGER3 = "923007770003";

    @BeforeAll
    static void start() {
        rx = WebhookReceiver.up();
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("restrictions"));
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"" + ID + "\"}").status()).isEqualTo(201);
        assertThat(gw.admin().put("/api/connections/" + ID + "/webhook",
                "{\"url\":\"" + rx.url() + "\",\"events\":[\"connection.restricted\",\"message.status\"]}").status()).isEqualTo(200);
        gw.link(ID, "923005556600", Duration.ofSeconds(30));
        published = gw.recordEvents(ConnectionStatusChanged.class);
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + KNOWN + "\",\"message\":\"hello\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        await("the known contact's message is stored", () -> gw.count(
                "SELECT count(*) FROM messages WHERE connection_id = ? AND direction = 'inbound' AND from_phone = ?", ID, KNOWN) == 1);
    }

    @AfterAll
    static void stop() {
        gw.close();
        rx.close();
    }

    @Test
    @Order(1)
    void aSilentRestrictionIsLearnedFromThe463WhichFailsTheMessageAtOnceWithoutARetry() {
        assertThat(gw.get("/api/connections/" + ID).json().path("restricted").isNull()).as("not restricted yet").isTrue();
        // WhatsApp restricts the account without telling the device (a missed notification)
        ApiClient.Response silent = gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"reachout_timelock\",\"silent\":true}");
        assertThat(silent.status()).as(silent.raw()).isEqualTo(200);
        ApiClient.Response r = send(STRANGER2, "r463");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isEqualTo("failed");
        assertThat(r.json().path("error").asString()).startsWith("restricted_new_contact: ");
        JsonNode hook = rx.await(l -> l.stream().anyMatch(x -> x.event().equals("message.status")
                && x.json().path("client_message_id").asString().equals("r463")), Duration.ofSeconds(20)).stream()
                .filter(x -> x.json().path("client_message_id").asString().equals("r463")).findFirst().orElseThrow().json();
        assertThat(hook.path("status").asString()).isEqualTo("failed");
        assertThat(hook.path("error").asString()).startsWith("restricted_new_contact: ");
        // one attempt, no retry planned, nothing reached the contact
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND client_message_id = 'r463' "
                + "AND status = 'failed' AND attempts = 1 AND next_attempt_at IS NULL", ID)).isEqualTo(1);
        assertThat(gw.sandboxSentCount(ID, r.json().path("provider_message_id").asString())).isZero();
        // the 463 made the engine ask WhatsApp: the status now shows the restriction, the webhook says so
        JsonNode restricted = gw.awaitStatus(ID, s -> s.path("restricted").isObject(), Duration.ofSeconds(20)).path("restricted");
        assertThat(restricted.path("reason").asString()).isEqualTo("reachout_timelock");
        assertThat(Instant.parse(restricted.path("until").asString()))
                .isEqualTo(Instant.parse(silent.json().path("until").asString()).truncatedTo(ChronoUnit.SECONDS));
        assertThat(restrictedHooks(1).get(0).path("restricted").asBoolean()).isTrue();

        assertThat(gw.post("/api/sandbox/" + ID + "/lift", "{\"kind\":\"reachout_timelock\"}").status()).isEqualTo(200);
        gw.awaitStatus(ID, s -> s.path("restricted").isNull(), Duration.ofSeconds(20));
        assertThat(restrictedHooks(2).get(1).path("restricted").asBoolean()).isFalse();
        hooksBefore = 2;
    }

    @Test
    @Order(2)
    void badInputAndSomeoneElsesConnectionChangeNothing() {
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{}"), 400, "invalid_kind");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"banned\"}"), 400, "invalid_kind");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"reachout_timelock\",\"until\":\"tomorrow\"}"), 400, "invalid_until");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"reachout_timelock\",\"until\":\"2020-01-01T00:00:00Z\"}"), 400, "invalid_until");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"reachout_timelock\",\"enforcement_type\":\"X\"}"), 400, "invalid_enforcement_type");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"message_capping\",\"enforcement_type\":\"BIZ_QUALITY\"}"), 400, "invalid_enforcement_type");
        assertError(gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":5}"), 400, "invalid_type");
        assertError(gw.post("/api/sandbox/" + ID + "/lift", "{\"kind\":\"nope\"}"), 400, "invalid_kind");
        assertThat(gw.post("/api/connections", "{\"connection_id\":\"rs_idle\"}").status()).isEqualTo(201);
        assertError(gw.post("/api/sandbox/rs_idle/restrict", "{\"kind\":\"reachout_timelock\"}"), 409, "not_connected");

        ApiClient bob = gw.withKey(gw.newUserKey("rs-bob@example.com"));
        assertError(bob.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"reachout_timelock\"}"), 404, "connection_not_found");
        assertError(bob.post("/api/sandbox/" + ID + "/lift", "{\"kind\":\"reachout_timelock\"}"), 404, "connection_not_found");
        assertError(bob.get("/api/connections/" + ID), 404, "connection_not_found");
        assertThat(gw.get("/api/connections/" + ID).json().path("restricted").isNull()).isTrue();
        assertThat(gw.count("SELECT count(*) FROM connection_restrictions WHERE connection_id = ?", ID)).isZero();
    }

    @Test
    @Order(3)
    void aReachOutTimeLockShowsInTheStatusWebhookAndRealtimeRefusesNewContactsAndLetsKnownOnesThrough() {
        Instant until = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/restrict",
                "{\"kind\":\"reachout_timelock\",\"until\":\"" + until + "\",\"enforcement_type\":\"BIZ_QUALITY\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode status = gw.awaitStatus(ID, s -> s.path("restricted").isObject(), Duration.ofSeconds(20));
        assertThat(status.path("status").asString()).as("the status shape is unchanged otherwise").isEqualTo("ready");
        JsonNode restricted = status.path("restricted");
        assertThat(restricted.path("reason").asString()).isEqualTo("reachout_timelock");
        assertThat(Instant.parse(restricted.path("until").asString())).isEqualTo(until);
        assertThat(restricted.path("detail").asString()).isEqualTo("BIZ_QUALITY");
        assertThat(Instant.parse(restricted.path("since").asString())).isBefore(Instant.now().plusSeconds(1));

        JsonNode hook = restrictedHooks(hooksBefore + 1).get(hooksBefore);
        assertThat(hook.path("restricted").asBoolean()).isTrue();
        assertThat(hook.path("reason").asString()).isEqualTo("reachout_timelock");
        assertThat(Instant.parse(hook.path("until").asString())).isEqualTo(until);
        assertThat(hook.path("detail").asString()).isEqualTo("BIZ_QUALITY");
        assertThat(hook.path("phone").asString()).isEqualTo("923005556600");
        assertThat(published).as("realtime connection.status carries it")
                .anyMatch(e -> e.connection().activeRestriction() != null);

        // a new contact: refused before anything is stored
        ApiClient.Response refused = send(STRANGER, "to-stranger");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("restricted_new_contact");
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND to_phone = ?", ID, STRANGER)).isZero();
        // who counts as new (the queue's check before each send uses the same rule)
        AccountRestrictions rules = gw.bean(AccountRestrictions.class);
        com.wagateway.database.ConnectionRow row = gw.bean(com.wagateway.database.ConnectionRepository.class).find(ID).orElseThrow();
        assertThat(rules.refusal(row, STRANGER + "@s.whatsapp.net")).contains("reachout_timelock");
        assertThat(rules.refusal(row, KNOWN + "@s.whatsapp.net")).isNull();
        assertThat(rules.refusal(row, "120363000000000001@g.us")).as("groups are never blocked").isNull();
        // the contact check learns the known contact's LID (lid_mappings), as every later message would use it
        String knownLid = gw.get("/api/connections/" + ID + "/contacts/check?phone=" + KNOWN).json().get(0).path("lid").asString();
        assertThat(knownLid).matches("[0-9]+@lid");
        assertThat(rules.refusal(row, knownLid)).as("the LID form of a known chat is known too").isNull();
        // a contact the account already chatted with: still goes
        ApiClient.Response known = send(KNOWN, "to-known");
        assertThat(known.status()).as(known.raw()).isEqualTo(200);
        assertThat(known.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        assertThat(gw.awaitSandboxSentContent(ID, known.json().path("provider_message_id").asString()).path("text").asString())
                .isEqualTo("text for " + KNOWN);
    }

    @Test
    @Order(4)
    void liftingClearsTheStatusTellsTheWebhookAndNewContactsAreReachableAgain() {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/lift", "{\"kind\":\"reachout_timelock\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("lifted").asBoolean()).isTrue();
        gw.awaitStatus(ID, s -> s.path("restricted").isNull(), Duration.ofSeconds(20));
        JsonNode hook = restrictedHooks(hooksBefore + 2).get(hooksBefore + 1);
        assertThat(hook.path("restricted").asBoolean()).isFalse();
        assertThat(hook.path("reason").asString()).isEqualTo("reachout_timelock");
        assertThat(hook.path("restriction").isNull()).isTrue();
        assertThat(gw.count("SELECT count(*) FROM connection_restrictions WHERE connection_id = ?", ID)).isZero();

        ApiClient.Response now = send(STRANGER, "to-stranger-after-lift");
        assertThat(now.status()).as(now.raw()).isEqualTo(200);
        assertThat(now.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
    }

    @Test
    @Order(5)
    void messageCappingShowsWithItsCycleEndAndIsLiftedTheSameWayWithOneWebhookPerChange() {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/restrict", "{\"kind\":\"message_capping\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        Instant until = Instant.parse(r.json().path("until").asString());
        assertThat(until).isAfter(Instant.now().plus(23, ChronoUnit.HOURS));
        JsonNode restricted = gw.awaitStatus(ID, s -> s.path("restricted").isObject(), Duration.ofSeconds(20)).path("restricted");
        assertThat(restricted.path("reason").asString()).isEqualTo("message_capping");
        assertThat(restricted.path("detail").asString()).isEqualTo("CAPPED");
        assertThat(Instant.parse(restricted.path("until").asString())).isEqualTo(until.truncatedTo(ChronoUnit.SECONDS));
        assertThat(send(STRANGER3, "capped-stranger").json().path("error").path("code").asString()).isEqualTo("restricted_new_contact");

        assertThat(gw.post("/api/sandbox/" + ID + "/lift", "{\"kind\":\"message_capping\"}").status()).isEqualTo(200);
        gw.awaitStatus(ID, s -> s.path("restricted").isNull(), Duration.ofSeconds(20));
        List<JsonNode> hooks = restrictedHooks(hooksBefore + 4);
        assertThat(hooks.get(hooksBefore + 2).path("reason").asString()).isEqualTo("message_capping");
        assertThat(hooks.get(hooksBefore + 2).path("restricted").asBoolean()).isTrue();
        assertThat(hooks.get(hooksBefore + 3).path("restricted").asBoolean()).isFalse();
        // each change once: the states repeated at connect and after each 463 added nothing
        assertThat(hooks).hasSize(hooksBefore + 4);
    }

    @Test
    @Order(6)
    void aRestrictionWhoseTimePassesIsLiftedWithItsWebhookThoughWhatsappSendsNothing() {
        int before = restrictedHooks(0).size();
        Instant until = Instant.now().plus(8, ChronoUnit.SECONDS).truncatedTo(ChronoUnit.SECONDS);
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/restrict",
                "{\"kind\":\"reachout_timelock\",\"until\":\"" + until + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        // set, then (with no lift from WhatsApp) lifted once its time passed
        List<JsonNode> hooks = restrictedHooks(before + 2, Duration.ofSeconds(60));
        assertThat(hooks.get(before).path("restricted").asBoolean()).isTrue();
        JsonNode lifted = hooks.get(before + 1);
        assertThat(lifted.path("restricted").asBoolean()).isFalse();
        assertThat(lifted.path("reason").asString()).isEqualTo("reachout_timelock");
        assertThat(lifted.path("restriction").isNull()).isTrue();
        assertThat(Instant.parse(lifted.path("timestamp").asString())).isAfterOrEqualTo(until);
        assertThat(gw.count("SELECT count(*) FROM connection_restrictions WHERE connection_id = ?", ID)).isZero();
        assertThat(gw.count("SELECT count(*) FROM connections WHERE connection_id = ? AND restricted_reason IS NULL", ID)).isEqualTo(1);
    }

    /** Waits for at least {@code n} connection.restricted webhooks and returns them all, in order. */
    static List<JsonNode> restrictedHooks(int n, Duration within) {
        return rx.await(l -> l.stream().filter(x -> x.event().equals("connection.restricted")).count() >= n, within)
                .stream().filter(x -> x.event().equals("connection.restricted")).map(WebhookReceiver.Received::json).toList();
    }

    /** Waits for at least {@code n} connection.restricted webhooks and returns them all, in order. */
    static List<JsonNode> restrictedHooks(int n) {
        return restrictedHooks(n, Duration.ofSeconds(20));
    }

    static ApiClient.Response send(String to, String clientId) {
        return gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + to + "\",\"message\":\"text for "
                + to + "\",\"client_message_id\":\"" + clientId + "\"}");
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
    }

    static void await(String what, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 20 s");
            }
            GatewayHarness.sleep(50);
        }
    }
}
