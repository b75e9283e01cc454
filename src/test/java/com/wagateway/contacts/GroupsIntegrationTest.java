package com.wagateway.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Groups through the real engine (the real Baileys socket against the emulator's w:g2 IQs, w:gp2
 * notifications and sender-key group messages) and real PostgreSQL: create, list, metadata,
 * participant actions with a result per member, invite link, leave; a send to the group reaches
 * every member; a member's message arrives with its sender; webhooks group.participants and
 * group.updated; bad input, an unknown group, not an admin and someone else's connection answered
 * with the one error shape and nothing changed.
 */
class GroupsIntegrationTest {

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    /** What the realtime layer is handed (it forwards each as a Socket.IO event of the same name). */
    static List<com.wagateway.messaging.GroupChanges.GroupEvent> realtime;
    static final String ID = "grp_main";
    static final String ME = "923005551000";
    static final String SARA = "923001112001";
    static final String OMAR = "923001112002";
    static final String LINA = "923001112003";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("groups"));
        receiver = WebhookReceiver.up();
        realtime = gw.recordEvents(com.wagateway.messaging.GroupChanges.GroupEvent.class);
        ApiClient.Response created = gw.post("/api/connections", "{\"connection_id\":\"" + ID + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        gw.link(ID, ME);
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    static JsonNode create(String subject, String... phones) {
        String list = java.util.Arrays.stream(phones).map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
        ApiClient.Response r = gw.post("/api/connections/" + ID + "/groups", "{\"subject\":\"" + subject + "\",\"participants\":[" + list + "]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json();
    }

    @Test
    void createListMetadataParticipantActionsInviteLinkAndLeave() {
        JsonNode g = create("Team", SARA, "+92 300 111 2002");
        String jid = g.path("group_jid").asString();
        assertThat(jid).matches("[0-9]+@g\\.us");
        assertThat(g.path("subject").asString()).isEqualTo("Team");
        assertThat(g.path("participant_count").asInt()).isEqualTo(3);
        assertThat(g.path("is_admin").asBoolean()).isTrue();
        JsonNode me = member(g, ME);
        assertThat(me.path("role").asString()).isEqualTo("superadmin");
        assertThat(me.path("admin").asBoolean()).isTrue();
        JsonNode sara = member(g, SARA);
        assertThat(sara.path("admin").asBoolean()).isFalse();
        assertThat(sara.path("lid").asString()).as("phone and LID").matches("[0-9]+@lid");

        JsonNode listed = findGroup(gw.get("/api/connections/" + ID + "/groups").json(), jid);
        assertThat(listed.path("subject").asString()).isEqualTo("Team");
        assertThat(listed.path("participant_count").asInt()).isEqualTo(3);
        assertThat(listed.path("is_admin").asBoolean()).isTrue();
        // the group's chat carries its subject
        JsonNode chat = findChat(jid);
        assertThat(chat.path("name").asString()).isEqualTo("Team");
        assertThat(chat.path("is_group").asBoolean()).isTrue();

        ApiClient.Response add = gw.post("/api/connections/" + ID + "/groups/" + jid + "/participants", "{\"add\":[\"" + LINA + "\",\"" + SARA + "\"]}");
        assertThat(add.status()).as(add.raw()).isEqualTo(200);
        assertThat(add.json().path("action").asString()).isEqualTo("add");
        JsonNode results = add.json().path("results");
        assertThat(results.get(0).path("phone").asString()).isEqualTo(LINA);
        assertThat(results.get(0).path("ok").asBoolean()).isTrue();
        assertThat(results.get(1).path("phone").asString()).isEqualTo(SARA);
        assertThat(results.get(1).path("ok").asBoolean()).isFalse();
        assertThat(results.get(1).path("error").asString()).isEqualTo("already_member");
        JsonNode added = awaitWebhook("group.participants", b -> jid.equals(b.path("group_jid").asString()) && "add".equals(b.path("action").asString()));
        assertThat(added.path("participants").get(0).path("phone").asString()).isEqualTo(LINA);
        assertThat(added.path("author_phone").asString()).isEqualTo(ME);
        // the same change went to the realtime channel (published before the webhook could be sent)
        assertThat(realtime).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("group.participants");
            assertThat(e.payload()).isInstanceOfSatisfying(com.wagateway.messaging.GroupChanges.Participants.class, p -> {
                assertThat(p.groupJid()).isEqualTo(jid);
                assertThat(p.action()).isEqualTo("add");
                assertThat(p.participants()).extracting(com.wagateway.messaging.GroupChanges.Member::phone).containsExactly(LINA);
            });
        });

        assertThat(gw.post("/api/connections/" + ID + "/groups/" + jid + "/participants", "{\"promote\":[\"" + SARA + "\"]}").status()).isEqualTo(200);
        awaitWebhook("group.participants", b -> jid.equals(b.path("group_jid").asString()) && "promote".equals(b.path("action").asString()));
        assertThat(member(gw.get("/api/connections/" + ID + "/groups/" + jid).json(), SARA).path("role").asString()).isEqualTo("admin");
        assertThat(gw.post("/api/connections/" + ID + "/groups/" + jid + "/participants", "{\"demote\":[\"" + SARA + "\"]}").status()).isEqualTo(200);
        JsonNode removed = gw.post("/api/connections/" + ID + "/groups/" + jid + "/participants", "{\"remove\":[\"" + OMAR + "\"]}").json();
        assertThat(removed.path("results").get(0).path("ok").asBoolean()).isTrue();
        JsonNode after = gw.get("/api/connections/" + ID + "/groups/" + jid).json();
        assertThat(after.path("participant_count").asInt()).isEqualTo(3);
        assertThat(member(after, SARA).path("admin").asBoolean()).isFalse();
        assertThat(after.path("participants").findValuesAsString("phone")).containsExactlyInAnyOrder(ME, SARA, LINA);

        JsonNode link = gw.get("/api/connections/" + ID + "/groups/" + jid + "/invite-link").json();
        assertThat(link.path("code").asString()).matches("[A-Za-z0-9]{22}");
        assertThat(link.path("link").asString()).isEqualTo("https://chat.whatsapp.com/" + link.path("code").asString());

        // a member renames the group on their phone: group.updated, and the chat takes the new name
        ApiClient.Response renamed = gw.post("/api/sandbox/" + ID + "/groups/" + jid + "/update", "{\"by\":\"" + SARA + "\",\"subject\":\"Renamed\",\"description\":\"About us\"}");
        assertThat(renamed.status()).as(renamed.raw()).isEqualTo(200);
        JsonNode upd = awaitWebhook("group.updated", b -> jid.equals(b.path("group_jid").asString()) && "Renamed".equals(b.path("subject").asString()));
        assertThat(upd.path("author_phone").asString()).isEqualTo(SARA);
        assertThat(upd.path("changes").toString()).contains("subject");
        awaitWebhook("group.updated", b -> jid.equals(b.path("group_jid").asString()) && "About us".equals(b.path("description").asString()));
        assertThat(findChat(jid).path("name").asString()).isEqualTo("Renamed");
        assertThat(gw.get("/api/connections/" + ID + "/groups/" + jid).json().path("description").asString()).isEqualTo("About us");

        ApiClient.Response left = gw.post("/api/connections/" + ID + "/groups/" + jid + "/leave", "{}");
        assertThat(left.status()).as(left.raw()).isEqualTo(200);
        assertThat(left.json().path("left").asBoolean()).isTrue();
        awaitWebhook("group.participants", b -> jid.equals(b.path("group_jid").asString()) && "remove".equals(b.path("action").asString())
                && ME.equals(b.path("participants").get(0).path("phone").asString()));
        assertError(gw.get("/api/connections/" + ID + "/groups/" + jid), 404, "group_not_found");
        assertThat(findGroupOrNull(gw.get("/api/connections/" + ID + "/groups").json(), jid)).isNull();
    }

    @Test
    void aSendToTheGroupReachesEveryMemberAndAMembersMessageArrivesWithItsSender() {
        String jid = create("Chat", SARA, OMAR).path("group_jid").asString();
        ApiClient.Response sent = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + jid + "\",\"message\":\"hello group\"}");
        assertThat(sent.status()).as(sent.raw()).isEqualTo(200);
        String pid = sent.json().path("provider_message_id").asString();
        awaitSentCount(pid, 2);
        assertThat(gw.awaitSandboxSentContent(ID, pid).path("text").asString()).isEqualTo("hello group");

        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/groups/" + jid + "/inbound", "{\"from\":\"" + SARA + "\",\"message\":\"hi from Sara\",\"push_name\":\"Sara K\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String inPid = in.json().path("provider_message_id").asString();
        JsonNode hook = awaitWebhook("message.received", b -> inPid.equals(b.path("provider_message_id").asString()));
        assertThat(hook.path("chat_id").asString()).isEqualTo(jid);
        assertThat(hook.path("is_group").asBoolean()).isTrue();
        assertThat(hook.path("from").asString()).as("the sender's phone").isEqualTo(SARA);
        assertThat(hook.path("push_name").asString()).isEqualTo("Sara K");
        assertThat(hook.path("message").asString()).isEqualTo("hi from Sara");
        JsonNode stored = gw.get("/api/connections/" + ID + "/chats/" + jid + "/messages").json().path("messages");
        JsonNode row = null;
        for (JsonNode m : stored) {
            if (inPid.equals(m.path("provider_message_id").asString())) {
                row = m;
            }
        }
        assertThat(row).as(stored.toString()).isNotNull();
        assertThat(row.path("push_name").asString()).isEqualTo("Sara K");
        assertThat(row.toString()).contains(SARA);
        assertThat(findChat(jid).path("name").asString()).as("the chat keeps the group's subject, not the sender's name").isEqualTo("Chat");
    }

    /**
     * The connection's {@code ignore_groups} setting, end to end: a member's group message (sender
     * keys through the real socket) is neither stored nor delivered while it is on; a 1:1 message
     * sent after it arrives (the positive signal that the group one was handled first); switched
     * off again, group messages arrive, without re-linking.
     */
    @Test
    void ignoreGroupsDropsGroupMessagesUntilSwitchedOff() {
        String jid = create("Quiet", SARA).path("group_jid").asString();
        String settings = "/api/connections/" + ID + "/settings";
        assertThat(gw.admin().put(settings, "{\"ignore_groups\":true}").status()).isEqualTo(200);
        try {
            String ignored = groupInbound(jid, "not for the gateway");
            ApiClient.Response direct = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + SARA + "\",\"message\":\"after the group one\"}");
            assertThat(direct.status()).as(direct.raw()).isEqualTo(200);
            String directPid = direct.json().path("provider_message_id").asString();
            awaitWebhook("message.received", b -> directPid.equals(b.path("provider_message_id").asString()));
            assertThat(receiver.received().stream().filter(r -> ignored.equals(r.json().path("provider_message_id").asString())))
                    .as("no webhook for the ignored group message").isEmpty();
            assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id = ?", ID, ignored))
                    .isZero();
        } finally {
            assertThat(gw.admin().put(settings, "{\"ignore_groups\":false}").status()).isEqualTo(200);
        }
        String heard = groupInbound(jid, "now it counts");
        awaitWebhook("message.received", b -> heard.equals(b.path("provider_message_id").asString()));
    }

    static String groupInbound(String jid, String text) {
        ApiClient.Response in = gw.post("/api/sandbox/" + ID + "/groups/" + jid + "/inbound",
                "{\"from\":\"" + SARA + "\",\"message\":\"" + text + "\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        return in.json().path("provider_message_id").asString();
    }

    @Test
    void badInputUnknownGroupAndNotAnAdminAreClearErrorsAndChangeNothing() {
        String jid = create("Guarded", SARA).path("group_jid").asString();
        String base = "/api/connections/" + ID + "/groups";
        assertError(gw.get(base + "/not-a-group"), 400, "invalid_group_jid");
        assertError(gw.get(base + "/923001112001@s.whatsapp.net"), 400, "invalid_group_jid");
        assertError(gw.get(base + "/120363000000000001@g.us"), 404, "group_not_found");
        assertError(gw.post(base + "/120363000000000001@g.us/participants", "{\"add\":[\"" + LINA + "\"]}"), 404, "group_not_found");
        assertError(gw.post(base, "{\"subject\":\"\",\"participants\":[\"" + SARA + "\"]}"), 400, "subject_required");
        assertError(gw.post(base, "{\"subject\":\"" + "x".repeat(101) + "\",\"participants\":[\"" + SARA + "\"]}"), 400, "invalid_subject");
        assertError(gw.post(base, "{\"subject\":\"Empty\",\"participants\":[]}"), 400, "participants_required");
        assertError(gw.post(base, "{\"subject\":\"Bad\",\"participants\":[\"12ab\"]}"), 400, "invalid_phone");
        String many = IntStream.range(0, 257).mapToObj(i -> "\"9230033" + String.format("%05d", i) + "\"").collect(Collectors.joining(","));
        assertError(gw.post(base, "{\"subject\":\"Big\",\"participants\":[" + many + "]}"), 400, "too_many_participants");
        assertError(gw.post(base + "/" + jid + "/participants", "{}"), 400, "action_required");
        assertError(gw.post(base + "/" + jid + "/participants", "{\"add\":[]}"), 400, "participants_required");
        assertError(gw.post(base + "/" + jid + "/participants", "{\"add\":[\"" + LINA + "\"],\"remove\":[\"" + SARA + "\"]}"), 400, "one_action_only");
        assertError(gw.post(base + "/" + jid + "/participants", "{\"add\":\"" + LINA + "\"}"), 400, "invalid_type");
        assertThat(gw.get(base + "/" + jid).json().path("participant_count").asInt()).as("nothing changed").isEqualTo(2);

        // Sara, made an admin, dismisses the account as admin on her phone: it is a plain member now
        String other = create("Not mine to run", SARA).path("group_jid").asString();
        assertThat(gw.post(base + "/" + other + "/participants", "{\"promote\":[\"" + SARA + "\"]}").status()).isEqualTo(200);
        ApiClient.Response demoted = gw.post("/api/sandbox/" + ID + "/groups/" + other + "/update", "{\"by\":\"" + SARA + "\",\"demote\":[\"" + ME + "\"]}");
        assertThat(demoted.status()).as(demoted.raw()).isEqualTo(200);
        awaitWebhook("group.participants", b -> other.equals(b.path("group_jid").asString()) && "demote".equals(b.path("action").asString()));
        assertError(gw.post(base + "/" + other + "/participants", "{\"add\":[\"" + LINA + "\"]}"), 403, "not_group_admin");
        assertError(gw.get(base + "/" + other + "/invite-link"), 403, "not_group_admin");
        JsonNode still = gw.get(base + "/" + other).json();
        assertThat(still.path("is_admin").asBoolean()).isFalse();
        assertThat(still.path("participants").findValuesAsString("phone")).doesNotContain(LINA);
    }

    @Test
    void anotherUsersConnectionIsNotFound() {
        String jid = create("Private", SARA).path("group_jid").asString();
        ApiClient eve = gw.withKey(gw.newUserKey("eve-groups@example.com"));
        String base = "/api/connections/" + ID + "/groups";
        for (ApiClient.Response r : List.of(
                eve.get(base),
                eve.get(base + "/" + jid),
                eve.post(base, "{\"subject\":\"Mine\",\"participants\":[\"" + SARA + "\"]}"),
                eve.post(base + "/" + jid + "/participants", "{\"add\":[\"" + LINA + "\"]}"),
                eve.get(base + "/" + jid + "/invite-link"),
                eve.post(base + "/" + jid + "/leave", "{}"),
                eve.post("/api/sandbox/" + ID + "/groups/" + jid + "/inbound", "{\"from\":\"" + SARA + "\",\"message\":\"x\"}"))) {
            assertError(r, 404, "connection_not_found");
        }
        assertThat(gw.get(base + "/" + jid).json().path("participant_count").asInt()).isEqualTo(2);
    }

    static void awaitSentCount(String pid, int members) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int n = 0;
        while (System.nanoTime() < deadline) {
            n = gw.sandboxSentCount(ID, pid);
            if (n >= members) {
                assertThat(n).as("each member decrypted it exactly once").isEqualTo(members);
                return;
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("only " + n + " of " + members + " members decrypted " + pid);
    }

    static JsonNode awaitWebhook(String event, Predicate<JsonNode> match) {
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream()
                .anyMatch(r -> event.equals(r.event()) && match.test(r.json())), Duration.ofSeconds(20));
        return got.stream().filter(r -> event.equals(r.event()) && match.test(r.json())).findFirst().orElseThrow().json();
    }

    static JsonNode member(JsonNode group, String phone) {
        for (JsonNode p : group.path("participants")) {
            if (phone.equals(p.path("phone").asString())) {
                return p;
            }
        }
        throw new AssertionError("no participant " + phone + " in " + group);
    }

    static JsonNode findGroup(JsonNode list, String jid) {
        JsonNode g = findGroupOrNull(list, jid);
        assertThat(g).as(list.toString()).isNotNull();
        return g;
    }

    static JsonNode findGroupOrNull(JsonNode list, String jid) {
        for (JsonNode g : list) {
            if (jid.equals(g.path("group_jid").asString())) {
                return g;
            }
        }
        return null;
    }

    static JsonNode findChat(String jid) {
        List<JsonNode> seen = new ArrayList<>();
        for (JsonNode c : gw.get("/api/connections/" + ID + "/chats?limit=200").json().path("chats")) {
            seen.add(c);
            if (jid.equals(c.path("chat_jid").asString())) {
                return c;
            }
        }
        throw new AssertionError("no chat " + jid + " in " + seen);
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
    }
}
