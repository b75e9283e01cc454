package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every NUL of an engine line becomes U+FFFD; only the mapped messages that had one are marked. */
class EngineTextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void nulIsReplacedEverywhereAndOnlyChangedMessagesAreMarked() {
        JsonNode line = JSON.readTree("""
                {"type":"event","event":"messages.upsert","connectionId":"c1","data":{"type":"notify","messages":[
                  {"key":{"id":"A"},"pushName":"Sa\\u0000ra","message":{"conversation":"x\\u0000y","list":["ok","\\u0000"]},
                   "parsed":{"type":"text","text":"x\\u0000y"}},
                  {"key":{"id":"B"},"pushName":"Ali","message":{"conversation":"plain"},"parsed":{"type":"text","text":"plain"}}
                ],"odd\\u0000name":"v"}}""");

        assertThat(EngineText.sanitizeLine(line)).isTrue();

        JsonNode a = line.path("data").path("messages").get(0);
        JsonNode b = line.path("data").path("messages").get(1);
        assertThat(a.path("pushName").asString()).isEqualTo("Sa\uFFFDra");
        assertThat(a.path("message").path("conversation").asString()).isEqualTo("x\uFFFDy");
        assertThat(a.path("message").path("list").get(1).asString()).isEqualTo("\uFFFD");
        assertThat(a.path("parsed").path("text").asString()).isEqualTo("x\uFFFDy");
        assertThat(a.path("sanitized").asBoolean()).isTrue();
        assertThat(b.has("sanitized")).isFalse();
        assertThat(line.path("data").path("odd\uFFFDname").asString()).isEqualTo("v");
        assertThat(line.toString()).doesNotContain("\\u0000").doesNotContain("\u0000");
    }

    @Test
    void aLineWithoutNulIsLeftAlone() {
        String text = "{\"type\":\"event\",\"event\":\"history.set\",\"data\":{\"chats\":[{\"name\":\"Team\"}],"
                + "\"messages\":[{\"key\":{\"id\":\"A\"},\"parsed\":{\"text\":\"hi \uFFFD already\"}}]}}";
        JsonNode line = JSON.readTree(text);
        assertThat(EngineText.sanitizeLine(line)).isFalse();
        assertThat(line).isEqualTo(JSON.readTree(text));
    }

    /** The cheap pre-check on the raw line agrees with what a JSON writer produces for a NUL. */
    @Test
    void onlyLinesWithAnEscapedNulAreWalked() {
        String withNul = JSON.writeValueAsString(java.util.Map.of("text", "a\u0000b"));
        assertThat(withNul).doesNotContain(String.valueOf((char) 0));
        assertThat(EngineText.mayContainNul(withNul)).isTrue();
        assertThat(EngineText.mayContainNul("{\"text\":\"plain\"}")).isFalse();
    }
}
