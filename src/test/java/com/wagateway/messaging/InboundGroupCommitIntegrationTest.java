package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.whatsapp.EngineEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Group commit of inbound engine events ({@link InboundMessages#onEvents}): a group stores exactly
 * what the same events store one by one — same rows, same edits, same undecryptable replacement,
 * duplicates once, webhooks in the same order — and one event that cannot be applied does not
 * cost the others.
 */
class InboundGroupCommitIntegrationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String GROUPED = "group_commit_a";
    static final String SINGLE = "group_commit_b";
    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("group-commit"));
        for (String id : List.of(GROUPED, SINGLE)) {
            // deliveries to a closed port stay queued: the test reads their order from the table
            ApiClient.Response r = gw.post("/api/connections",
                    "{\"connection_id\":\"" + id + "\",\"webhook_url\":\"http://127.0.0.1:9/hook\"}");
            assertThat(r.status()).as(r.raw()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aGroupStoresWhatTheSameEventsStoreOneByOne() {
        List<MessageEvents.Stored> published = new CopyOnWriteArrayList<>();
        gw.onEvent(MessageEvents.Stored.class, published::add);
        InboundMessages inbound = gw.bean(InboundMessages.class);

        inbound.onEvents(script(GROUPED));
        script(SINGLE).forEach(inbound::onEvent);

        List<String> grouped = rows(GROUPED);
        assertThat(grouped).containsExactly(
                "P1|text|hello, edited|edited", "P2|text|second|", "P3|text|other chat|", "P4|text|now readable|",
                "P5|text|fifth|");
        assertThat(rows(SINGLE)).isEqualTo(grouped);
        // one transaction for the group (created_at is the transaction's start), one per event alone
        assertThat(transactions(GROUPED, "P%")).isEqualTo(1);
        assertThat(transactions(SINGLE, "P%")).isGreaterThan(1);
        assertThat(webhookOrder(GROUPED)).isEqualTo(webhookOrder(SINGLE));
        assertThat(webhookOrder(GROUPED)).startsWith("P1", "P2", "P3");
        assertThat(gw.count("SELECT count(*) FROM chats WHERE connection_id = ?", GROUPED)).isEqualTo(2);
        assertThat(gw.count("SELECT unread_count FROM chats WHERE connection_id = ? AND chat_jid = ?",
                GROUPED, "923001110001@s.whatsapp.net"))
                .isEqualTo(gw.count("SELECT unread_count FROM chats WHERE connection_id = ? AND chat_jid = ?",
                        SINGLE, "923001110001@s.whatsapp.net"));
        // published after the commit, one Stored per connection of the group
        assertThat(published.stream().filter(e -> e.connectionId().equals(GROUPED))
                .flatMap(e -> e.messages().stream()).map(m -> m.providerMessageId()).distinct())
                .contains("P1", "P2", "P3", "P4", "P5");
    }

    @Test
    void anEventThatCannotBeAppliedDoesNotCostTheOthers() {
        InboundMessages inbound = gw.bean(InboundMessages.class);
        List<EngineEvent> group = List.of(
                upsert(GROUPED, msg("Q1", "923001110009", "text", "before")),
                // a connection deleted meanwhile: its LID pair violates the foreign key
                EngineEvent.LidMappings.from("gone_connection",
                        JSON.readTree("{\"mappings\":[{\"lid\":\"1@lid\",\"pn\":\"923001110009@s.whatsapp.net\"}]}")),
                upsert(GROUPED, msg("Q2", "923001110009", "text", "after")));

        inbound.onEvents(group);

        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND provider_message_id IN ('Q1', 'Q2')",
                GROUPED)).isEqualTo(2);
        assertThat(gw.count("SELECT count(*) FROM lid_mappings WHERE connection_id = 'gone_connection'")).isZero();
        assertThat(transactions(GROUPED, "Q%")).as("re-applied event by event").isEqualTo(2);
    }

    /**
     * Two connections' worth of the same engine traffic: messages in two chats, an edit of an
     * earlier message, an undecryptable message replaced when it becomes readable, a re-delivered
     * duplicate, a LID pair.
     */
    static List<EngineEvent> script(String id) {
        String a = "923001110001";
        String b = "923001110002";
        return List.of(
                upsert(id, msg("P1", a, "text", "hello"), msg("P2", a, "text", "second")),
                upsert(id, msg("P3", b, "text", "other chat")),
                EngineEvent.LidMappings.from(id, JSON.readTree("{\"mappings\":[{\"lid\":\"77@lid\",\"pn\":\"" + a + "@s.whatsapp.net\"}]}")),
                upsert(id, msg("P4", a, "undecryptable", null), edit("E1", a, "P1", "hello, edited")),
                upsert(id, msg("P4", a, "text", "now readable")),
                upsert(id, msg("P2", a, "text", "second"), msg("P5", a, "text", "fifth")));
    }

    static EngineEvent upsert(String connectionId, JsonNode... messages) {
        StringBuilder list = new StringBuilder();
        for (JsonNode m : messages) {
            list.append(list.isEmpty() ? "" : ",").append(m);
        }
        return EngineEvent.MessagesUpserted.from(connectionId, JSON.readTree("{\"type\":\"notify\",\"messages\":[" + list + "]}"));
    }

    static JsonNode msg(String id, String from, String type, String text) {
        String jid = from + "@s.whatsapp.net";
        return JSON.readTree("""
                {"key":{"id":"%s","remoteJid":"%s","fromMe":false},"timestamp":1763700000,"pushName":"Peer",
                 "message":{"conversation":%s},
                 "parsed":{"type":"%s","text":%s,"chatJid":"%s","chatPhone":"%s","senderJid":"%s","senderPhone":"%s",
                           "fromMe":false,"isGroup":false}}"""
                .formatted(id, jid, quote(text), type, quote(text), jid, from, jid, from));
    }

    static JsonNode edit(String id, String from, String target, String text) {
        String jid = from + "@s.whatsapp.net";
        return JSON.readTree("""
                {"key":{"id":"%s","remoteJid":"%s","fromMe":false},"timestamp":1763700001,
                 "parsed":{"type":"protocol","protocol":{"kind":"edit","targetId":"%s","text":"%s"},"chatJid":"%s",
                           "chatPhone":"%s","fromMe":false,"isGroup":false}}"""
                .formatted(id, jid, target, text, jid, from));
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    /** provider id | type | body | edited, per stored message, in WhatsApp-id order. */
    static List<String> rows(String connectionId) {
        return gw.bean(JdbcTemplate.class).query("""
                SELECT provider_message_id, type, body, edited_at IS NOT NULL AS edited FROM messages
                WHERE connection_id = ? AND provider_message_id LIKE 'P%' ORDER BY provider_message_id""",
                (rs, n) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + (rs.getBoolean(4) ? "edited" : ""), connectionId);
    }

    /** In how many transactions these messages were stored (rows of one transaction share created_at). */
    static long transactions(String connectionId, String providerIdPattern) {
        return gw.count("SELECT count(DISTINCT created_at) FROM messages WHERE connection_id = ? AND provider_message_id LIKE ?",
                connectionId, providerIdPattern);
    }

    /** The WhatsApp ids of the queued webhook events, in queue order. */
    static List<String> webhookOrder(String connectionId) {
        List<Map<String, Object>> list = gw.bean(JdbcTemplate.class).queryForList(
                "SELECT body::text AS body FROM webhook_deliveries WHERE connection_id = ? ORDER BY id", connectionId);
        Function<Map<String, Object>, String> pid = r -> JSON.readTree((String) r.get("body")).path("provider_message_id").asString();
        List<String> out = new ArrayList<>();
        list.stream().map(pid).filter(p -> p.startsWith("P")).forEach(out::add);
        return out;
    }
}
