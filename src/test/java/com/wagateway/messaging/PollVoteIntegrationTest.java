package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A poll sent through the API, a vote from the emulator's contact (encrypted with the poll's
 * messageSecret, as WhatsApp clients do), decrypted by the engine with the stored poll: the
 * webhook {@code message.poll_vote} names the chosen options, a changed vote replaces the
 * earlier one on the poll's row.
 */
class PollVoteIntegrationTest {

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    static final String ID = "poll_votes";
    static final String PEER = "923001112255";

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("poll-votes"));
        receiver = WebhookReceiver.up();
        ApiClient.Response created = gw.post("/api/connections",
                "{\"connection_id\":\"" + ID + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        gw.link(ID, "923009990055");
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    @Test
    void aContactsVoteArrivesAsAWebhookWithTheOptionNames() {
        ApiClient.Response poll = gw.post("/api/send-poll", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"name\":\"Delivery time?\",\"options\":[\"Morning\",\"Afternoon\",\"Evening\"],\"selectable_count\":1,"
                + "\"client_message_id\":\"poll-1\"}");
        assertThat(poll.status()).as(poll.raw()).isEqualTo(200);
        String pollId = poll.json().path("provider_message_id").asString();
        gw.awaitSandboxSentContent(ID, pollId);

        vote(pollId, "[\"Evening\"]");
        JsonNode first = awaitVote(j -> pollId.equals(j.path("poll").path("provider_message_id").asString()));
        assertThat(first.path("selected_options").toString()).isEqualTo("[\"Evening\"]");
        assertThat(first.path("voter").asString()).isEqualTo(PEER);
        assertThat(first.path("poll").path("client_message_id").asString()).isEqualTo("poll-1");
        assertThat(first.path("poll").path("name").asString()).isEqualTo("Delivery time?");
        assertThat(first.path("chat_id").asString()).isEqualTo(PEER + "@s.whatsapp.net");

        // a changed vote replaces the earlier one
        vote(pollId, "[\"Morning\"]");
        awaitVote(j -> "[\"Morning\"]".equals(j.path("selected_options").toString()));
        assertThat(gw.count("SELECT count(*) FROM messages WHERE provider_message_id = ? AND details->'votes'->>? = '[\"Morning\"]'",
                pollId, PEER)).isEqualTo(1);
    }

    @Test
    void aVoteForAnOptionThePollDoesNotHaveIsRefusedBySandbox() {
        ApiClient.Response poll = gw.post("/api/send-poll", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"name\":\"Color?\",\"options\":[\"Red\",\"Blue\"]}");
        String pollId = poll.json().path("provider_message_id").asString();
        gw.awaitSandboxSentContent(ID, pollId);
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"poll_vote\","
                + "\"reply_to_provider_message_id\":\"" + pollId + "\",\"options\":[\"Green\"]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        ApiClient.Response noOptions = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"poll_vote\","
                + "\"reply_to_provider_message_id\":\"" + pollId + "\"}");
        assertThat(noOptions.status()).as(noOptions.raw()).isEqualTo(400);
        assertThat(noOptions.json().path("error").path("code").asString()).isEqualTo("invalid_poll_vote");
    }

    static void vote(String pollId, String options) {
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"poll_vote\","
                + "\"reply_to_provider_message_id\":\"" + pollId + "\",\"options\":" + options + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    static JsonNode awaitVote(Predicate<JsonNode> match) {
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream()
                .anyMatch(r -> "message.poll_vote".equals(r.event()) && match.test(r.json())), Duration.ofSeconds(20));
        return got.stream().filter(r -> "message.poll_vote".equals(r.event()) && match.test(r.json()))
                .findFirst().orElseThrow().json();
    }
}
