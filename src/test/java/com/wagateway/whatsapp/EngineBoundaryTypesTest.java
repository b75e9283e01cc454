package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.shared.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The protocol's JSON (docs/engine-protocol.md, its own examples) read into the typed events and
 * results, and the typed commands written back as the protocol's JSON: the translation the rest
 * of Java relies on instead of reading field names itself.
 */
class EngineBoundaryTypesTest {

    @Test
    void aMappedMessageOfTheProtocolIsReadIntoItsRecord() {
        EngineEvent event = EngineEvents.parse(Json.MAPPER.readTree("""
                {"type":"event","event":"messages.upsert","connectionId":"c1","data":{"type":"notify","messages":[
                {"key":{"id":"3A9F00000000000000AA","remoteJid":"123456789012345@lid","fromMe":false,
                        "participant":null,"remoteJidAlt":"923001112233@s.whatsapp.net","participantAlt":null},
                 "pushName":"Bilal","timestamp":1732170000,
                 "message":{"conversation":"yes"},
                 "messageStubType":null,"status":null,
                 "parsed":{"type":"image","text":"yes","caption":"cap","mimeType":"image/jpeg","fileLength":1234,"fileName":null,
                           "quoted":{"id":"3EB0C431D5A2F4B5E6A7B8","participant":"923001234567@s.whatsapp.net"},
                           "protocol":null,"undecryptable":false,
                           "senderJid":"123456789012345@lid","senderPhone":"923001112233",
                           "chatJid":"123456789012345@lid","chatPhone":"923001112233","isGroup":false,"fromMe":false,
                           "details":{"forwarded":true,"forwarding_score":2}}}]}}
                """)).orElseThrow();

        EngineEvent.MessagesUpserted upsert = (EngineEvent.MessagesUpserted) event;
        assertThat(upsert.connectionId()).isEqualTo("c1");
        assertThat(upsert.type()).isEqualTo("notify");
        MappedMessage m = upsert.messages().get(0);
        assertThat(m).isEqualTo(new MappedMessage("3A9F00000000000000AA", "image", false, false,
                "123456789012345@lid", "923001112233", "123456789012345@lid", "923001112233", "yes", "cap",
                "image/jpeg", 1234L, null, "3EB0C431D5A2F4B5E6A7B8", null, Instant.ofEpochSecond(1732170000),
                null, "Bilal", "{\"conversation\":\"yes\"}", false, "{\"forwarded\":true,\"forwarding_score\":2}"));
    }

    /** {@code parsed.details} is carried only as a non-empty JSON object: anything else is "no details". */
    @Test
    void detailsAreCarriedOnlyAsAnObject() {
        assertThat(MappedMessage.details(Json.MAPPER.readTree("{\"reason\":\"Bad MAC\"}"))).isEqualTo("{\"reason\":\"Bad MAC\"}");
        assertThat(MappedMessage.details(Json.MAPPER.readTree("{}"))).isNull();
        assertThat(MappedMessage.details(Json.MAPPER.readTree("[1]"))).isNull();
        assertThat(MappedMessage.details(Json.MAPPER.readTree("\"x\""))).isNull();
        assertThat(MappedMessage.details(Json.MAPPER.readTree("null"))).isNull();
        assertThat(MappedMessage.details(null)).isNull();
    }

    @Test
    void mediaOutcomesAreTyped() {
        EngineEvent done = EngineEvents.parse(Json.MAPPER.readTree("""
                {"type":"event","event":"media.downloaded","connectionId":"c1","data":{
                 "key":{"id":"3A9F","remoteJid":"923001112233@s.whatsapp.net","fromMe":false,"participant":null},
                 "path":"/data/media/incoming/x.media","size":40000,"sha256":"ab12","mimeType":"image/jpeg",
                 "fileLength":40000,"seconds":null,"width":640,"height":480}}""")).orElseThrow();
        assertThat(done).isEqualTo(new EngineEvent.MediaResult("c1", "3A9F", "923001112233@s.whatsapp.net", false,
                "/data/media/incoming/x.media", 40000L, "ab12", null, null, null, 640, 480));
        assertThat(((EngineEvent.MediaResult) done).downloaded()).isTrue();

        EngineEvent failed = EngineEvents.parse(Json.MAPPER.readTree("""
                {"type":"event","event":"media.failed","connectionId":"c1","data":{
                 "key":{"id":"3A9E","remoteJid":"923001112233@s.whatsapp.net","fromMe":true},
                 "reason":"too_large","message":"WhatsApp declares 9 bytes","seconds":7,"width":null,"height":null,
                 "path":"/ignored"}}""")).orElseThrow();
        assertThat(failed).isEqualTo(new EngineEvent.MediaResult("c1", "3A9E", "923001112233@s.whatsapp.net", true,
                null, null, null, "too_large", "WhatsApp declares 9 bytes", 7, null, null));
        assertThat(((EngineEvent.MediaResult) failed).downloaded()).isFalse();
        assertThat(failed).isNotInstanceOf(EngineEvent.MessageEvent.class);
    }

    @Test
    void updatesHistoryAndLidPairsAreTyped() {
        EngineEvent.MessagesUpdated updated = EngineEvent.MessagesUpdated.from("c1", Json.MAPPER.readTree("""
                {"updates":[{"key":{"id":"A1","fromMe":true},"status":"failed","error":"479"},
                            {"key":{"id":"A2","fromMe":false},"edit":{"text":"new","message":{"conversation":"new"}}},
                            {"key":{"id":"A3"},"revoked":true}]}"""));
        assertThat(updated.updates()).containsExactly(
                new MessageUpdate("A1", true, "failed", "479", null, false),
                new MessageUpdate("A2", false, null, null, new MessageUpdate.Edit("new", "{\"conversation\":\"new\"}"), false),
                new MessageUpdate("A3", false, null, null, null, true));
        assertThat(updated.updates().get(0).changesContent()).isFalse();
        assertThat(updated.updates().get(2).changesContent()).isTrue();

        EngineEvent.HistoryChunk chunk = EngineEvent.HistoryChunk.from("c1", Json.MAPPER.readTree("""
                {"chats":[{"id":"923001112233@s.whatsapp.net","name":"Bilal","unreadCount":2},{"name":"no id"}],
                 "messages":[],"isLatest":true,"progress":100,"syncType":6}"""));
        assertThat(chunk.chats()).containsExactly(new EngineEvent.HistoryChunk.Chat("923001112233@s.whatsapp.net", "Bilal", 2));
        assertThat(chunk.onDemand()).isTrue();
        assertThat(chunk.progress()).isEqualTo(100);
        assertThat(EngineEvent.HistoryChunk.from("c1", Json.MAPPER.readTree("{\"syncType\":0}")).onDemand()).isFalse();

        EngineEvent.LidMappings lids = EngineEvent.LidMappings.from("c1", Json.MAPPER.readTree("""
                {"mappings":[{"lid":"1@lid","pn":"92300@s.whatsapp.net"},{"lid":"2@lid","pn":null}]}"""));
        assertThat(lids.pairs()).isEqualTo(Map.of("1@lid", "92300@s.whatsapp.net"));
    }

    @Test
    void aSendIsWrittenAsTheProtocolsExampleAndItsResultRead() {
        EngineCommands.Send send = new EngineCommands.Send("3EB0C431D5A2F4B5E6A7B8", "923001112233@s.whatsapp.net",
                EngineCommands.textContent("hi"), EngineCommands.Quoted.of("3A9F00000000000000AA",
                        "923001112233@s.whatsapp.net", false, "923001112233@s.whatsapp.net", "{\"conversation\":\"ping\"}"));
        assertThat(send.toArgs()).isEqualTo(Json.MAPPER.readTree("""
                {"messageId":"3EB0C431D5A2F4B5E6A7B8","jid":"923001112233@s.whatsapp.net","content":{"type":"text","text":"hi"},
                 "quoted":{"key":{"id":"3A9F00000000000000AA","remoteJid":"923001112233@s.whatsapp.net","fromMe":false,"participant":null},
                           "message":{"conversation":"ping"}}}"""));
        // in a group, someone else's message names its author
        assertThat(EngineCommands.Quoted.of("X", "1203@g.us", false, "92300@s.whatsapp.net", null).participant())
                .isEqualTo("92300@s.whatsapp.net");
        assertThat(EngineCommands.Quoted.of("X", "1203@g.us", true, "92300@s.whatsapp.net", null).participant()).isNull();

        EngineCommands.Sent sent = EngineCommands.Sent.from(Json.MAPPER.readTree("""
                {"providerMessageId":"3EB0C431D5A2F4B5E6A7B8","remoteJid":"923001112233@s.whatsapp.net","timestamp":1732170000,
                 "message":{"conversation":"hi"}}"""));
        assertThat(sent).isEqualTo(new EngineCommands.Sent("3EB0C431D5A2F4B5E6A7B8", "923001112233@s.whatsapp.net",
                Instant.ofEpochSecond(1732170000), "{\"conversation\":\"hi\"}"));
        String image = EngineCommands.mediaContent("image", "ab".repeat(32), "image/png", " ", null, List.of());
        assertThat(image).isEqualTo("{\"type\":\"image\",\"sha256\":\"" + "ab".repeat(32) + "\",\"mimeType\":\"image/png\"}");
        assertThat(EngineCommands.mediaSha256(image)).isEqualTo("ab".repeat(32));
        assertThat(EngineCommands.mediaSha256(EngineCommands.textContent("hi"))).isNull();
        assertThat(Json.MAPPER.readTree(EngineCommands.withMediaPath(image, java.nio.file.Path.of("/m/ab"))).path("path").asString())
                .isEqualTo("/m/ab");
    }

    @Test
    void everyProtocolErrorCodeMapsToItsType() {
        assertThat(EngineException.fromReply("not_ready", "m", null)).isInstanceOf(EngineException.NotReady.class);
        assertThat(EngineException.fromReply("bad_request", "m", null)).isInstanceOf(EngineException.BadRequest.class);
        assertThat(EngineException.fromReply("not_found", "m", null)).isInstanceOf(EngineException.NotFound.class);
        assertThat(EngineException.fromReply("invalid_state", "m", null)).isInstanceOf(EngineException.InvalidState.class);
        EngineException sendFailed = EngineException.fromReply("send_failed", "Connection Closed", 428);
        assertThat(sendFailed).isInstanceOf(EngineException.SendFailed.class);
        assertThat(((EngineException.SendFailed) sendFailed).statusCode()).isEqualTo(428);
        EngineException unknown = EngineException.fromReply("unknown_command", "m", null);
        assertThat(unknown).isInstanceOf(EngineException.Internal.class);
        assertThat(unknown.code()).as("the wire code is kept for reasons users see").isEqualTo("unknown_command");
        assertThat(EngineException.of(new java.util.concurrent.CompletionException(new EngineException.Unavailable("down")))
                .isUnavailable()).isTrue();
        assertThat(EngineException.of(new IllegalStateException("bug")).code()).isEqualTo("internal");
    }
}
