package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Receiving media end to end, on the real Baileys socket against the emulator: a contact sends a
 * file with known bytes (sandbox inbound {@code media_base64}); the contact's phone encrypts and
 * uploads it, the engine downloads and decrypts it after the message event, the gateway stores it
 * and fires {@code message.media}; the signed URL in it (no API key) and the API media endpoint
 * give exactly those bytes. Plus: Range and ETag, tenant rules (404), forged and expired URLs (403),
 * a file over {@code MEDIA_MAX_BYTES} ({@code too_large}), and retention with a shared file.
 */
class MediaReceivingIntegrationTest {

    static final String ID = "media_in";
    static final String PEER = "923001112277";
    static final String URL_SECRET = "media-url-secret-for-tests-0123456789";
    static final long MAX_BYTES = 200_000;
    static final long INLINE_MAX = 2_000;

    static GatewayHarness gw;
    static WebhookReceiver receiver;
    static final HttpClient http = HttpClient.newHttpClient();
    static final Random random = new Random(15);

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("media-in"));
        settings.put("gateway.media.max-bytes", String.valueOf(MAX_BYTES));
        settings.put("gateway.media.url-secret", URL_SECRET);
        settings.put("gateway.media.webhook-inline-max-bytes", String.valueOf(INLINE_MAX));
        // retention is on, but its first pass is 15 minutes away: the test drives passes itself
        settings.put("gateway.media.retention", "1h");
        gw = GatewayHarness.start(settings);
        receiver = WebhookReceiver.up();
        ApiClient.Response created = gw.post("/api/connections",
                "{\"connection_id\":\"" + ID + "\",\"webhook_url\":\"" + receiver.url() + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        gw.link(ID, "923009990066");
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    /** One media type, its bytes and what the webhook and the endpoints should say about it. */
    record Case(String type, int size, String mimeType, String fileName, Integer seconds) {
    }

    @Test
    void eachMediaTypeRoundTripsByteForByteThroughTheSignedUrlAndTheApi() throws Exception {
        List<MediaChanged> realtime = gw.recordEvents(MediaChanged.class);
        List<Case> cases = List.of(
                new Case("image", 40_000, "image/jpeg", null, null),
                new Case("video", 60_000, "video/mp4", null, 9),
                new Case("audio", 30_000, "audio/mpeg", null, 4),
                new Case("ptt", 12_000, "audio/ogg; codecs=opus", null, 3),
                new Case("document", 25_000, "application/pdf", "invoice 7.pdf", null),
                new Case("sticker", 1_500, "image/webp", null, null));
        for (Case c : cases) {
            byte[] bytes = randomBytes(c.size());
            String pid = inbound(c.type(), bytes, c.mimeType(), c.fileName(), c.seconds());
            JsonNode received = awaitEvent("message.received", pid);
            assertThat(received.path("type").asString()).isEqualTo(c.type());
            assertThat(received.path("media").path("state").asString()).as("pending until the file is stored").isEqualTo("pending");
            JsonNode event = awaitEvent("message.media", pid);
            JsonNode media = event.path("media");
            String what = c.type() + ": " + event;
            assertThat(media.path("state").asString()).as(what).isEqualTo("stored");
            assertThat(media.path("sha256").asString()).as(what).isEqualTo(sha256(bytes));
            assertThat(media.path("size").asLong()).as(what).isEqualTo(bytes.length);
            assertThat(media.path("mime_type").asString()).as(what).isEqualTo(c.mimeType());
            assertThat(event.path("message_id").asString()).isEqualTo(received.path("message_id").asString());
            assertThat(event.path("from").asString()).isEqualTo(PEER);
            if (c.seconds() != null) {
                assertThat(media.path("duration").asInt()).as(what).isEqualTo(c.seconds());
            }
            if (c.fileName() != null) {
                assertThat(media.path("file_name").asString()).isEqualTo(c.fileName());
            }
            // small files are inlined, larger ones are not
            if (bytes.length <= INLINE_MAX) {
                assertThat(Base64.getDecoder().decode(media.path("base64").asString())).isEqualTo(bytes);
            } else {
                assertThat(media.has("base64")).as(what).isFalse();
            }

            // the signed URL, with no API key at all
            String url = media.path("url").asString();
            assertThat(url).startsWith(gwBase().replace("127.0.0.1", "localhost") + "/api/media/" + event.path("message_id").asString() + "?expires=");
            HttpResponse<byte[]> viaUrl = get(url.replace("localhost", "127.0.0.1"), Map.of());
            assertThat(viaUrl.statusCode()).as(what).isEqualTo(200);
            assertThat(sha256(viaUrl.body())).as(what).isEqualTo(sha256(bytes));
            assertThat(viaUrl.headers().firstValue("Content-Type").orElseThrow()).as(what).startsWith(c.mimeType().split(";")[0]);

            // the API endpoint with the key: same bytes, ETag, Range, If-None-Match
            String api = gwBase() + "/api/connections/" + ID + "/messages/" + event.path("message_id").asString() + "/media";
            Map<String, String> key = Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY);
            HttpResponse<byte[]> whole = get(api, key);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(bytes);
            assertThat(whole.headers().firstValue("ETag").orElseThrow()).isEqualTo("\"" + sha256(bytes) + "\"");
            assertThat(whole.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("sandbox");
            if (c.fileName() != null) {
                assertThat(whole.headers().firstValue("Content-Disposition").orElseThrow())
                        .startsWith("attachment").contains("invoice");
            }
            HttpResponse<byte[]> part = get(api, Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY, "Range", "bytes=100-1099"));
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(bytes, 100, 1100));
            assertThat(part.headers().firstValue("Content-Range").orElseThrow()).isEqualTo("bytes 100-1099/" + bytes.length);
            HttpResponse<byte[]> unchanged = get(api, Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY,
                    "If-None-Match", "\"" + sha256(bytes) + "\""));
            assertThat(unchanged.statusCode()).isEqualTo(304);
        }
        // the dashboard heard each one too
        assertThat(realtime.stream().filter(e -> e.connectionId().equals(ID) && "stored".equals(e.media().state())).count())
                .isGreaterThanOrEqualTo(cases.size());
        // one row per message, each settled exactly once
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = ? AND media_state = 'pending'", ID)).isZero();
    }

    @Test
    void forgedAndExpiredUrlsAre403AndAnotherUsersRequestIs404() throws Exception {
        byte[] bytes = randomBytes(5_000);
        String pid = inbound("image", bytes, "image/png", null, null);
        JsonNode event = awaitEvent("message.media", pid);
        String messageId = event.path("message_id").asString();
        String url = event.path("media").path("url").asString().replace("localhost", "127.0.0.1");
        assertThat(get(url, Map.of()).statusCode()).isEqualTo(200);

        String base = gwBase() + "/api/media/" + messageId;
        long future = Instant.now().plusSeconds(600).getEpochSecond();
        long past = Instant.now().minusSeconds(5).getEpochSecond();
        // forged: wrong signature, a signature for another message, a changed expiry, none at all
        assertError(get(base + "?expires=" + future + "&signature=" + sign(messageId, future).replace('a', 'b').replace('1', '2'), Map.of()),
                403, "invalid_signature");
        assertError(get(gwBase() + "/api/media/" + UUID.randomUUID() + "?expires=" + future + "&signature=" + sign(messageId, future), Map.of()),
                403, "invalid_signature");
        assertError(get(base + "?expires=" + (future + 1) + "&signature=" + sign(messageId, future), Map.of()), 403, "invalid_signature");
        assertError(get(base, Map.of()), 403, "invalid_signature");
        // expired: correctly signed, but its time is over
        assertError(get(base + "?expires=" + past + "&signature=" + sign(messageId, past), Map.of()), 403, "link_expired");
        // correctly signed with the documented scheme: works
        HttpResponse<byte[]> ok = get(base + "?expires=" + future + "&signature=" + sign(messageId, future), Map.of());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(bytes);

        // another user: the connection and its media do not exist for them
        String email = "media-other@example.com";
        assertThat(gw.post("/api/users", "{\"email\":\"" + email + "\",\"password\":\"other-password-1\"}").status()).isEqualTo(201);
        ApiClient other = gw.browser(true).login(email, "other-password-1");
        String otherKey = other.post("/api/api-keys", "{\"name\":\"t\"}").json().path("key").asString();
        String api = gwBase() + "/api/connections/" + ID + "/messages/" + messageId + "/media";
        assertError(get(api, Map.of("Authorization", "Bearer " + otherKey)), 404, "connection_not_found");
        // no key at all: 401; an unknown message: 404
        assertThat(get(api, Map.of()).statusCode()).isEqualTo(401);
        assertError(get(gwBase() + "/api/connections/" + ID + "/messages/" + UUID.randomUUID() + "/media",
                Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY)), 404, "message_not_found");
    }

    @Test
    void historyMediaAreNotDownloadedAndATextHasNoMedia() throws Exception {
        Map<String, String> key = Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY);
        String text = gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"message\":\"just text\"}")
                .json().path("provider_message_id").asString();
        String textId = awaitEvent("message.received", text).path("message_id").asString();
        assertError(get(gwBase() + "/api/connections/" + ID + "/messages/" + textId + "/media", key), 404, "no_media");
        // a media message as the history sync stores it: no media state (not downloaded, decisions.md)
        String image = awaitEvent("message.media", inbound("image", randomBytes(3_000), "image/jpeg", null, null)).path("message_id").asString();
        gw.bean(JdbcClient.class).sql("UPDATE messages SET from_history = true, media_state = NULL WHERE id = ?::uuid").param(image).update();
        assertError(get(gwBase() + "/api/connections/" + ID + "/messages/" + image + "/media", key), 409, "media_not_downloaded");
    }

    @Test
    void aDownloadThatNeverEndedIsFetchedAgainWhenTheConnectionIsReady() throws Exception {
        byte[] bytes = randomBytes(9_000);
        String pid = inbound("document", bytes, "application/pdf", "again.pdf", null);
        String messageId = awaitEvent("message.media", pid).path("message_id").asString();
        // as if the gateway had stopped before the file came: the row still waits, no file is stored
        gw.bean(JdbcClient.class).sql("UPDATE messages SET media_state = 'pending', media_sha256 = NULL WHERE id = ?::uuid")
                .param(messageId).update();
        Files.delete(storedFile(sha256(bytes)));
        // the connection drops and comes back: ready asks the engine for the pending media again
        assertThat(gw.post("/api/sandbox/" + ID + "/drop", "{\"code\":428}").status()).isEqualTo(200);
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream().filter(r -> matches(r, "message.media", pid)).count() >= 2,
                Duration.ofSeconds(60));
        JsonNode again = got.stream().filter(r -> matches(r, "message.media", pid)).skip(1).findFirst().orElseThrow().json();
        assertThat(again.path("media").path("state").asString()).isEqualTo("stored");
        assertThat(again.path("media").path("sha256").asString()).isEqualTo(sha256(bytes));
        assertThat(storedFile(sha256(bytes))).exists();
        HttpResponse<byte[]> file = get(gwBase() + "/api/connections/" + ID + "/messages/" + messageId + "/media",
                Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY));
        assertThat(file.body()).isEqualTo(bytes);
        gw.awaitStatus(ID, "ready", Duration.ofSeconds(30));
    }

    @Test
    void aNewEngineRemovesFilesThePreviousOneLeftUnclaimed() throws Exception {
        Path incoming = gw.dataDir().resolve("media").resolve("incoming");
        Files.createDirectories(incoming);
        Path stale = Files.write(incoming.resolve(UUID.randomUUID() + ".media"), randomBytes(100));
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(600)));
        Path fresh = Files.write(incoming.resolve(UUID.randomUUID() + ".media"), randomBytes(100));
        gw.bean(MediaReceiver.class).onEngineStarted(com.wagateway.whatsapp.EngineShare.ALL, true);
        assertThat(stale).doesNotExist();
        assertThat(fresh).as("a file the new engine may be reporting right now stays").exists();
        Files.delete(fresh);
    }

    @Test
    void aFileOverMediaMaxBytesEndsTooLargeAndIsNotStored() throws Exception {
        byte[] bytes = randomBytes((int) MAX_BYTES + 50_000);
        String pid = inbound("document", bytes, "application/zip", "big.zip", null);
        JsonNode event = awaitEvent("message.media", pid);
        assertThat(event.path("media").path("state").asString()).isEqualTo("too_large");
        assertThat(event.path("media").path("url").isNull()).isTrue();
        assertThat(event.path("media").path("error").asString()).contains("too_large");
        String api = gwBase() + "/api/connections/" + ID + "/messages/" + event.path("message_id").asString() + "/media";
        assertError(get(api, Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY)), 409, "media_too_large");
        assertThat(storedFiles()).noneMatch(p -> p.getFileName().toString().equals(sha256(bytes)));
        assertThat(incomingFiles()).as("no partial download is left behind").isEmpty();
    }

    @Test
    void sandboxInboundRefusesBadMediaInputAndChangesNothing() {
        // live messages only: the link's history sync may still be landing meanwhile (a CI run saw it)
        String live = "SELECT count(*) FROM messages WHERE connection_id = ? AND NOT from_history";
        long before = gw.count(live, ID);
        assertError(gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"image\",\"media_base64\":\"not base64!\"}"),
                400, "invalid_media_base64");
        assertError(gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"text\",\"message\":\"hi\",\"media_base64\":\"AAAA\"}"),
                400, "media_not_allowed");
        assertError(gw.post("/api/sandbox/" + ID + "/inbound", "{\"from\":\"" + PEER + "\",\"type\":\"image\",\"media_base64\":\"AAAA\",\"mime_type\":\"png\"}"),
                400, "invalid_mime_type");
        assertThat(gw.count(live, ID)).isEqualTo(before);
    }

    @Test
    void retentionExpiresOldMediaAndDeletesAFileOnlyWhenNoMessageStillHoldsIt() throws Exception {
        byte[] bytes = randomBytes(8_000);
        String first = awaitEvent("message.media", inbound("image", bytes, "image/jpeg", null, null)).path("message_id").asString();
        String second = awaitEvent("message.media", inbound("image", bytes, "image/jpeg", null, null)).path("message_id").asString();
        Path file = storedFile(sha256(bytes));
        assertThat(file).exists();
        JdbcClient jdbc = gw.bean(JdbcClient.class);
        MediaRetention retention = gw.bean(MediaRetention.class);
        Map<String, String> key = Map.of("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY);

        // the first message is older than the retention: expired, but the second still holds the same file
        jdbc.sql("UPDATE messages SET created_at = now() - interval '2 hours' WHERE id = ?::uuid").param(first).update();
        assertThat(retention.expireNow(Instant.now().minus(Duration.ofHours(1)))).isZero();
        assertThat(file).exists();
        assertError(get(gwBase() + "/api/connections/" + ID + "/messages/" + first + "/media", key), 409, "media_expired");
        assertThat(sha256(get(gwBase() + "/api/connections/" + ID + "/messages/" + second + "/media", key).body())).isEqualTo(sha256(bytes));

        // now the second too: the file goes
        jdbc.sql("UPDATE messages SET created_at = now() - interval '2 hours' WHERE id = ?::uuid").param(second).update();
        assertThat(retention.expireNow(Instant.now().minus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(file).doesNotExist();
        assertError(get(gwBase() + "/api/connections/" + ID + "/messages/" + second + "/media", key), 409, "media_expired");
        assertThat(gw.count("SELECT count(*) FROM messages WHERE id IN (?::uuid, ?::uuid) AND media_state = 'expired'", first, second))
                .as("the messages stay, marked expired").isEqualTo(2);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** The contact sends a file; returns WhatsApp's id of the message. */
    static String inbound(String type, byte[] bytes, String mimeType, String fileName, Integer seconds) {
        StringBuilder body = new StringBuilder("{\"from\":\"" + PEER + "\",\"type\":\"" + type + "\",\"media_base64\":\""
                + Base64.getEncoder().encodeToString(bytes) + "\",\"mime_type\":\"" + mimeType + "\"");
        if (fileName != null) {
            body.append(",\"file_name\":\"").append(fileName).append('"');
        }
        if (seconds != null) {
            body.append(",\"seconds\":").append(seconds);
        }
        ApiClient.Response r = gw.post("/api/sandbox/" + ID + "/inbound", body.append('}').toString());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("provider_message_id").asString();
    }

    static JsonNode awaitEvent(String event, String providerMessageId) {
        List<WebhookReceiver.Received> got = receiver.await(list -> list.stream().anyMatch(r -> matches(r, event, providerMessageId)),
                Duration.ofSeconds(45));
        return got.stream().filter(r -> matches(r, event, providerMessageId)).findFirst().orElseThrow().json();
    }

    private static boolean matches(WebhookReceiver.Received r, String event, String providerMessageId) {
        return event.equals(r.event()) && providerMessageId.equals(r.json().path("provider_message_id").asString());
    }

    static HttpResponse<byte[]> get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static void assertError(HttpResponse<byte[]> r, int status, String code) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        JsonNode j = GatewayHarness.JSON.readTree(body);
        assertThat(j.path("error").path("code").asString()).as(body).isEqualTo(code);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    }

    static void assertError(ApiClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(code);
    }

    /** The documented signature: hex HMAC-SHA256(MEDIA_URL_SECRET, message_id + "." + expires). */
    static String sign(String messageId, long expires) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(URL_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal((messageId + "." + expires).getBytes(StandardCharsets.UTF_8)));
    }

    static String gwBase() {
        return gw.baseUrl();
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path storedFile(String sha) {
        return gw.dataDir().resolve("media").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
    }

    static List<Path> storedFiles() throws java.io.IOException {
        try (var s = Files.walk(gw.dataDir().resolve("media"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static List<Path> incomingFiles() throws java.io.IOException {
        Path dir = gw.dataDir().resolve("media").resolve("incoming");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
