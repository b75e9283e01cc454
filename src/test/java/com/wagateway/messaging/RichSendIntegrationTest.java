package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code send-media} through the real Baileys socket against the emulator: for each media type
 * the contact's phone downloads and decrypts the file from the emulated media host, and its
 * SHA-256 must equal the SHA-256 of the bytes sent; idempotency as for text; bad input stores
 * nothing.
 */
class RichSendIntegrationTest {

    static GatewayHarness gw;
    static final String ID = "rich_main";
    static final String PEER = "923001112244";

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("rich-send"));
        settings.put("gateway.webhooks.allow-private-networks", "false"); // media_url on loopback must be refused
        gw = GatewayHarness.start(settings);
        gw.link(ID, "923009990044");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    static final byte[] MP4 = withHeader(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'}, 2048);
    static final byte[] MP3 = withHeader("ID3\u0004\u0000".getBytes(StandardCharsets.ISO_8859_1), 2048);
    static final byte[] OPUS = opus();
    static final byte[] PDF = withHeader("%PDF-1.4\n% invoice 42\n".getBytes(StandardCharsets.US_ASCII), 4096);
    static final byte[] WEBP = withHeader(new byte[] {'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '}, 512);

    @Test
    void everyMediaTypeArrivesByteForByte() throws Exception {
        Object[][] cases = {
                {"image", PNG, ",\"caption\":\"a dot\"", "image"},
                {"video", MP4, ",\"caption\":\"a clip\"", "video"},
                {"audio", MP3, "", "audio"},
                {"voice", OPUS, "", "voice"},
                {"document", PDF, ",\"file_name\":\"invoice-42.pdf\",\"caption\":\"your invoice\"", "document"},
                {"sticker", WEBP, "", "sticker"},
        };
        for (Object[] c : cases) {
            String type = (String) c[0];
            byte[] bytes = (byte[]) c[1];
            String cid = "media-" + type;
            ApiClient.Response r = gw.post("/api/send-media", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\",\"type\":\""
                    + type + "\",\"media_base64\":\"" + b64(bytes) + "\"" + c[2] + ",\"client_message_id\":\"" + cid + "\"}");
            assertThat(r.status()).as(type + ": " + r.raw()).isEqualTo(200);
            assertThat(r.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
            JsonNode seen = gw.awaitSandboxSentContent(ID, r.json().path("provider_message_id").asString());
            assertThat(seen.path("type").asString()).as(seen.toString()).isEqualTo(c[3]);
            assertThat(seen.path("sha256").asString()).as(type + " decrypted by the contact: " + seen).isEqualTo(sha256(bytes));
            assertThat(seen.path("size").asInt()).isEqualTo(bytes.length);
            JsonNode stored = message(cid);
            assertThat(stored.path("file_length").asLong()).isEqualTo(bytes.length);
            // stored once under its hash before the row; the row refers to it and never held the bytes
            assertThat(gw.count("SELECT count(*) FROM messages WHERE client_message_id = ? AND media_sha256 = ? AND media_state = 'stored'"
                    + " AND outgoing IS NULL", cid, sha256(bytes))).as(type).isEqualTo(1);
            assertThat(gw.dataDir().resolve("media").resolve(sha256(bytes).substring(0, 2)).resolve(sha256(bytes).substring(2, 4))
                    .resolve(sha256(bytes))).exists();
        }
        JsonNode doc = gw.awaitSandboxSentContent(ID, message("media-document").path("provider_message_id").asString());
        assertThat(doc.path("fileName").asString()).isEqualTo("invoice-42.pdf");
        assertThat(doc.path("caption").asString()).isEqualTo("your invoice");
        assertThat(doc.path("mimetype").asString()).isEqualTo("application/pdf");
        assertThat(message("media-document").path("file_name").asString()).isEqualTo("invoice-42.pdf");
        JsonNode voice = gw.awaitSandboxSentContent(ID, message("media-voice").path("provider_message_id").asString());
        assertThat(voice.path("mimetype").asString()).isEqualTo("audio/ogg; codecs=opus");
        assertThat(message("media-voice").path("type").asString()).isEqualTo("ptt");
        assertThat(gw.awaitSandboxSentContent(ID, message("media-image").path("provider_message_id").asString())
                .path("caption").asString()).isEqualTo("a dot");
    }

    @Test
    void sendImageIsAnAliasThatAlsoStoresTheFileByHash() throws Exception {
        ApiClient.Response r = gw.post("/api/send-image", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"image_base64\":\"" + b64(PNG) + "\",\"caption\":\"alias\",\"client_message_id\":\"alias-1\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode seen = gw.awaitSandboxSentContent(ID, r.json().path("provider_message_id").asString());
        assertThat(seen.path("sha256").asString()).isEqualTo(sha256(PNG));
        assertThat(seen.path("caption").asString()).isEqualTo("alias");
        assertThat(gw.count("SELECT count(*) FROM messages WHERE client_message_id = 'alias-1' AND media_sha256 = ?", sha256(PNG)))
                .isEqualTo(1);
        // the sandbox API shows the same proof to API users
        ApiClient.Response listed = gw.get("/api/sandbox/" + ID + "/sent?provider_message_id=" + r.json().path("provider_message_id").asString());
        assertThat(listed.status()).as(listed.raw()).isEqualTo(200);
        JsonNode entry = listed.json().path("messages").get(0);
        assertThat(entry.path("count").asInt()).isEqualTo(1);
        assertThat(entry.path("content").path("type").asString()).isEqualTo("image");
        assertThat(entry.path("content").path("sha256").asString()).isEqualTo(sha256(PNG));
        assertThat(entry.path("content").path("mime_type").asString()).isEqualTo("image/png");
    }

    @Test
    void aRepeatIsOneMessageAndADifferentFileUnderTheSameIdIsAConflict() {
        String body = "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\",\"type\":\"document\",\"media_base64\":\""
                + b64(PDF) + "\",\"file_name\":\"a.pdf\",\"client_message_id\":\"media-once\"}";
        ApiClient.Response first = gw.post("/api/send-media", body);
        ApiClient.Response again = gw.post("/api/send-media", body);
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(again.status()).as(again.raw()).isEqualTo(200);
        assertThat(again.json().path("message_id").asString()).isEqualTo(first.json().path("message_id").asString());
        assertThat(again.json().path("provider_message_id").asString()).isEqualTo(first.json().path("provider_message_id").asString());
        gw.awaitSandboxSentContent(ID, first.json().path("provider_message_id").asString());
        assertThat(gw.sandboxSentCount(ID, first.json().path("provider_message_id").asString())).isEqualTo(1);
        ApiClient.Response other = gw.post("/api/send-media", body.replace("a.pdf", "b.pdf"));
        assertThat(other.status()).as(other.raw()).isEqualTo(409);
        assertThat(other.json().path("error").path("code").asString()).isEqualTo("idempotency_conflict");
    }

    @Test
    void badMediaIsRefusedWithAClearErrorAndStoresNothing() throws Exception {
        String sends = "SELECT count(*) FROM messages WHERE direction = 'outbound' AND NOT from_history";
        long before = gw.count(sends);
        byte[] bigSticker = withHeader(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '}, 110 * 1024);
        String[][] cases = {
                {"\"type\":\"image\",\"media_base64\":\"" + b64(PDF) + "\"", "media_base64", "media_type_mismatch"},
                {"\"type\":\"voice\",\"media_base64\":\"" + b64(MP3) + "\"", "media_base64", "media_type_mismatch"},
                {"\"type\":\"video\",\"media_base64\":\"" + b64(PNG) + "\"", "media_base64", "media_type_mismatch"},
                {"\"type\":\"sticker\",\"media_base64\":\"" + b64(bigSticker) + "\"", "media_base64", "media_too_large"},
                {"\"type\":\"document\",\"media_url\":\"http://127.0.0.1:9/invoice.pdf\"", "media_url", "private_network"},
                {"\"type\":\"document\",\"media_url\":\"http://169.254.169.254/latest\"", "media_url", "private_network"},
                {"\"type\":\"gif\",\"media_base64\":\"" + b64(PNG) + "\"", "type", "invalid_media_type"},
                {"\"type\":\"image\"", "media_url", "invalid_media_source"},
                {"\"type\":\"audio\",\"media_base64\":\"" + b64(MP3) + "\",\"caption\":\"no\"", "caption", "caption_not_supported"},
                {"\"type\":\"image\",\"media_base64\":\"" + b64(PNG) + "\",\"mime_type\":\"image/jpeg\"", "mime_type", "mime_type_mismatch"},
                {"\"type\":\"document\",\"media_base64\":\"" + b64(PDF) + "\",\"file_name\":\"../etc/passwd\"", "file_name", "invalid_file_name"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = gw.post("/api/send-media", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\"," + c[0] + "}");
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(c[2]);
            assertThat(r.json().path("error").path("field").asString()).as(r.raw()).isEqualTo(c[1]);
        }
        ApiClient.Response voice = gw.post("/api/send-media", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"type\":\"voice\",\"media_base64\":\"" + b64(MP3) + "\"}");
        assertThat(voice.json().path("error").path("message").asString()).contains("OGG/Opus").contains("does not convert");
        assertThat(gw.count(sends)).isEqualTo(before);
        assertThat(gw.dataDir().resolve("media").resolve(sha256(bigSticker).substring(0, 2))
                .resolve(sha256(bigSticker).substring(2, 4)).resolve(sha256(bigSticker))).doesNotExist();
    }

    @Test
    void locationContactReactionAndPollArriveAsSent() {
        JsonNode loc = sent("/api/send-location", "\"to\":\"" + PEER + "\",\"latitude\":24.8607,\"longitude\":67.0011,"
                + "\"name\":\"Office\",\"address\":\"Shahrah-e-Faisal, Karachi\"");
        assertThat(loc.path("type").asString()).isEqualTo("location");
        assertThat(loc.path("location").path("latitude").asDouble()).isEqualTo(24.8607);
        assertThat(loc.path("location").path("longitude").asDouble()).isEqualTo(67.0011);
        assertThat(loc.path("location").path("name").asString()).isEqualTo("Office");
        assertThat(loc.path("location").path("address").asString()).isEqualTo("Shahrah-e-Faisal, Karachi");

        JsonNode card = sent("/api/send-contact", "\"to\":\"" + PEER + "\",\"contacts\":[{\"name\":\"Ali Khan\",\"phones\":[\"+92 300 1234567\"]}]");
        assertThat(card.path("type").asString()).isEqualTo("contacts");
        assertThat(card.path("displayName").asString()).isEqualTo("Ali Khan");
        assertThat(card.path("vcards").get(0).asString()).isEqualTo(
                "BEGIN:VCARD\nVERSION:3.0\nFN:Ali Khan\nTEL;type=CELL;type=VOICE;waid=923001234567:+923001234567\nEND:VCARD");

        String target = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"parcel damaged\",\"type\":\"text\"}")
                .json().path("provider_message_id").asString();
        awaitStored(target);
        JsonNode react = sent("/api/send-reaction", "\"provider_message_id\":\"" + target + "\",\"emoji\":\"\ud83d\udc4d\"");
        assertThat(react.path("type").asString()).isEqualTo("reaction");
        assertThat(react.path("emoji").asString()).isEqualTo("\ud83d\udc4d");
        assertThat(react.path("targetId").asString()).isEqualTo(target);
        JsonNode removed = sent("/api/send-reaction", "\"provider_message_id\":\"" + target + "\",\"emoji\":\"\"");
        assertThat(removed.path("emoji").asString()).isEmpty();
        assertThat(removed.path("targetId").asString()).isEqualTo(target);

        JsonNode poll = sent("/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Delivery time?\",\"options\":[\"Morning\",\"Evening\"],"
                + "\"selectable_count\":1");
        assertThat(poll.path("type").asString()).isEqualTo("poll");
        assertThat(poll.path("poll").path("name").asString()).isEqualTo("Delivery time?");
        assertThat(poll.path("poll").path("options").toString()).isEqualTo("[\"Morning\",\"Evening\"]");
        assertThat(poll.path("poll").path("selectableCount").asInt()).isEqualTo(1);
    }

    @Test
    void everyEndpointIsIdempotentOnClientMessageId() {
        String target = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\",\"message\":\"react here\"}")
                .json().path("provider_message_id").asString();
        String[][] cases = {
                {"/api/send-location", "\"to\":\"" + PEER + "\",\"latitude\":1.5,\"longitude\":2.5", "\"latitude\":1.5", "\"latitude\":1.6"},
                {"/api/send-contact", "\"to\":\"" + PEER + "\",\"contacts\":[{\"name\":\"A\",\"phones\":[\"923001234567\"]}]", "\"A\"", "\"B\""},
                {"/api/send-reaction", "\"provider_message_id\":\"" + target + "\",\"emoji\":\"\ud83d\ude00\"", "\ud83d\ude00", "\ud83d\ude22"},
                {"/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Q\",\"options\":[\"x\",\"y\"]", "\"Q\"", "\"R\""},
                {"/api/send-message", "\"to\":\"" + PEER + "\",\"message\":\"hi @923001234567\",\"mentions\":[\"923001234567\"]", "hi @", "ho @"},
        };
        int i = 0;
        for (String[] c : cases) {
            String body = "{\"connection_id\":\"" + ID + "\"," + c[1] + ",\"client_message_id\":\"idem-" + i++ + "\"}";
            ApiClient.Response first = gw.post(c[0], body);
            ApiClient.Response again = gw.post(c[0], body);
            assertThat(first.status()).as(c[0] + " " + first.raw()).isEqualTo(200);
            assertThat(again.status()).as(c[0] + " " + again.raw()).isEqualTo(200);
            assertThat(again.json().path("message_id").asString()).isEqualTo(first.json().path("message_id").asString());
            String pid = first.json().path("provider_message_id").asString();
            gw.awaitSandboxSentContent(ID, pid);
            assertThat(gw.sandboxSentCount(ID, pid)).as(c[0]).isEqualTo(1);
            ApiClient.Response other = gw.post(c[0], body.replace(c[2], c[3]));
            assertThat(other.status()).as(c[0] + " " + other.raw()).isEqualTo(409);
            assertThat(other.json().path("error").path("code").asString()).isEqualTo("idempotency_conflict");
        }
        JsonNode mention = gw.awaitSandboxSentContent(ID, message("idem-4").path("provider_message_id").asString());
        assertThat(mention.path("mentions").toString()).isEqualTo("[\"923001234567@s.whatsapp.net\"]");
    }

    @Test
    void ownTextIsEditedAndDeletedForEveryoneButNothingElse() {
        ApiClient.Response r = gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"message\":\"see you at 5\",\"client_message_id\":\"to-edit\"}");
        String pid = r.json().path("provider_message_id").asString();
        ApiClient.Response edited = gw.admin().patch("/api/connections/" + ID + "/messages/to-edit", "{\"message\":\"see you at 6\"}");
        assertThat(edited.status()).as(edited.raw()).isEqualTo(200);
        assertThat(edited.json().path("body").asString()).isEqualTo("see you at 6");
        assertThat(edited.json().path("edited").asBoolean()).isTrue();
        JsonNode edit = awaitSent(e -> "edit".equals(e.path("type").asString()) && pid.equals(e.path("targetId").asString()));
        assertThat(edit.path("text").asString()).isEqualTo("see you at 6");

        // the same edit again is answered without a second edit reaching the contact
        ApiClient.Response again = gw.admin().patch("/api/connections/" + ID + "/messages/" + pid, "{\"message\":\"see you at 6\"}");
        assertThat(again.status()).as(again.raw()).isEqualTo(200);
        assertThat(again.json().path("message_id").asString()).isEqualTo(edited.json().path("message_id").asString());

        ApiClient.Response deleted = gw.delete("/api/connections/" + ID + "/messages/" + r.json().path("message_id").asString());
        assertThat(deleted.status()).as(deleted.raw()).isEqualTo(200);
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        awaitSent(e -> "revoke".equals(e.path("type").asString()) && pid.equals(e.path("targetId").asString()));
        // the revoke went out after the repeated edit in the same chat, so anything that repeat sent has arrived by now
        assertThat(sentTo(e -> "edit".equals(e.path("type").asString()) && pid.equals(e.path("targetId").asString()))).isEqualTo(1);
        assertThat(gw.delete("/api/connections/" + ID + "/messages/to-edit").status()).isEqualTo(200);
        ApiClient.Response editDeleted = gw.admin().patch("/api/connections/" + ID + "/messages/to-edit", "{\"message\":\"too late\"}");
        assertThat(editDeleted.status()).isEqualTo(409);
        assertThat(editDeleted.json().path("error").path("code").asString()).isEqualTo("message_deleted");

        // someone else's message: refused, unchanged
        String theirs = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"mine\",\"type\":\"text\"}")
                .json().path("provider_message_id").asString();
        awaitStored(theirs);
        ApiClient.Response foreign = gw.admin().patch("/api/connections/" + ID + "/messages/" + theirs, "{\"message\":\"changed\"}");
        assertThat(foreign.status()).as(foreign.raw()).isEqualTo(409);
        assertThat(foreign.json().path("error").path("code").asString()).isEqualTo("not_own_message");
        assertThat(gw.delete("/api/connections/" + ID + "/messages/" + theirs).status()).isEqualTo(409);
        assertThat(gw.count("SELECT count(*) FROM messages WHERE provider_message_id = ? AND body = 'mine' AND edited_at IS NULL"
                + " AND revoked_at IS NULL", theirs)).isEqualTo(1);

        // past WhatsApp's 15-minute window
        gw.post("/api/send-message", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\",\"message\":\"old\",\"client_message_id\":\"old-1\"}");
        gw.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("UPDATE messages SET sent_at = now() - interval '16 minutes' WHERE client_message_id = 'old-1'").update();
        ApiClient.Response late = gw.admin().patch("/api/connections/" + ID + "/messages/old-1", "{\"message\":\"new\"}");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().path("error").path("code").asString()).isEqualTo("edit_window_passed");
        assertThat(message("old-1").path("body").asString()).isEqualTo("old");
        ApiClient.Response empty = gw.admin().patch("/api/connections/" + ID + "/messages/old-1", "{\"message\":\"\"}");
        assertThat(empty.status()).isEqualTo(400);
    }

    @Test
    void badRichInputIsRefusedAndStoresNothing() {
        String sends = "SELECT count(*) FROM messages WHERE direction = 'outbound' AND NOT from_history";
        long before = gw.count(sends);
        String thirteen = "[" + String.join(",", java.util.stream.IntStream.range(0, 13).mapToObj(i -> "\"o" + i + "\"").toList()) + "]";
        String[][] cases = {
                {"/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Q\",\"options\":[\"only\"]", "invalid_poll_options"},
                {"/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Q\",\"options\":" + thirteen, "invalid_poll_options"},
                {"/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Q\",\"options\":[\"a\",\"a\"]", "invalid_poll_options"},
                {"/api/send-poll", "\"to\":\"" + PEER + "\",\"name\":\"Q\",\"options\":[\"a\",\"b\"],\"selectable_count\":3", "invalid_selectable_count"},
                {"/api/send-location", "\"to\":\"" + PEER + "\",\"latitude\":91,\"longitude\":0", "invalid_latitude"},
                {"/api/send-location", "\"to\":\"" + PEER + "\",\"latitude\":0", "invalid_longitude"},
                {"/api/send-contact", "\"to\":\"" + PEER + "\",\"contacts\":[]", "invalid_contacts"},
                {"/api/send-contact", "\"to\":\"" + PEER + "\",\"contacts\":[{\"name\":\"A\",\"phones\":[\"12\"]}]", "invalid_contacts"},
                {"/api/send-reaction", "\"provider_message_id\":\"3EB0NOSUCHMESSAGE\",\"emoji\":\"\ud83d\udc4d\"", "target_not_found"},
                {"/api/send-reaction", "\"provider_message_id\":\"3EB0NOSUCHMESSAGE\",\"emoji\":\"ok\"", "invalid_emoji"},
                {"/api/send-message", "\"to\":\"" + PEER + "\",\"message\":\"hi\",\"mentions\":[\"120363000000000000@g.us\"]", "invalid_mentions"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = gw.post(c[0], "{\"connection_id\":\"" + ID + "\"," + c[1] + "}");
            assertThat(r.status()).as(c[0] + " " + r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(c[2]);
        }
        assertThat(gw.count(sends)).isEqualTo(before);
    }

    /** Sends to {@code path} (body fields without connection_id), expects 200 sent, returns what the contact saw. */
    static JsonNode sent(String path, String fields) {
        ApiClient.Response r = gw.post(path, "{\"connection_id\":\"" + ID + "\"," + fields + "}");
        assertThat(r.status()).as(path + " " + r.raw()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        return gw.awaitSandboxSentContent(ID, r.json().path("provider_message_id").asString());
    }

    /** Waits until a contact decrypted a message matching {@code match} (its sandbox.sent content). */
    static JsonNode awaitSent(java.util.function.Predicate<JsonNode> match) {
        var engine = gw.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode m : engine.sandbox("sent", ID, engine.newArgs()).join().path("messages")) {
                if (match.test(m.path("content"))) {
                    return m.path("content");
                }
            }
            GatewayHarness.sleep(50);
        }
        throw new AssertionError("no matching message reached the contact");
    }

    /** How many messages the contact decrypted whose content matches (now). */
    static long sentTo(java.util.function.Predicate<JsonNode> match) {
        var engine = gw.bean(com.wagateway.whatsapp.RawEngineCommands.class);
        long n = 0;
        for (JsonNode m : engine.sandbox("sent", ID, engine.newArgs()).join().path("messages")) {
            if (match.test(m.path("content"))) {
                n++;
            }
        }
        return n;
    }

    /** Waits until an inbound message is stored (a positive signal, not a sleep). */
    static void awaitStored(String providerMessageId) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (gw.count("SELECT count(*) FROM messages WHERE provider_message_id = ?", providerMessageId) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(providerMessageId + " was not stored");
            }
            GatewayHarness.sleep(50);
        }
    }

    // ---- helpers ----

    static JsonNode message(String clientId) {
        return gw.get("/api/connections/" + ID + "/messages/" + clientId).json();
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** {@code header} followed by a varied (not all-zero) body up to {@code size} bytes. */
    static byte[] withHeader(byte[] header, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        System.arraycopy(header, 0, b, 0, header.length);
        return b;
    }

    /** An OGG page whose first packet is an Opus identification header (what voice notes are). */
    static byte[] opus() {
        byte[] b = withHeader("OggS".getBytes(StandardCharsets.US_ASCII), 1024);
        System.arraycopy("OpusHead".getBytes(StandardCharsets.US_ASCII), 0, b, 28, 8);
        return b;
    }
}
