package com.wagateway.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import com.wagateway.support.NodeScript;
import com.wagateway.support.TestMedia;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Media and rich messages in the dashboard's Chats (issue 15, part 4), on the real gateway
 * (sandbox engine: the real Baileys socket against the emulator) and Debian's chromium through
 * playwright-core ({@code frontend/e2e/media-flow.mjs}): a contact's photo and voice note appear
 * and play, a PDF, a location and a contact card sent from the composer reach the contact (the
 * emulator's contact decrypts the PDF to the same SHA-256). Also the chat API's {@code media}
 * object the page reads: pending → stored with the file's facts and path, too_large, none for text.
 * Needs Debian's {@code chromium} (see DashboardE2EIntegrationTest).
 */
class MediaDashboardE2EIntegrationTest {

    static final String CONN = "e2e_media";
    static final String CONTACT = "923451114455";
    static final String CHAT = CONTACT + "@s.whatsapp.net";
    static final long MAX_BYTES = 300_000;

    static GatewayHarness gw;

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("media-dashboard"));
        settings.put("gateway.media.max-bytes", String.valueOf(MAX_BYTES));
        gw = GatewayHarness.start(settings);
        ApiClient.Response created = gw.post("/api/connections", "{\"connection_id\":\"" + CONN + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        // a loaded machine can take a while to link (the engine imports Baileys first)
        gw.link(CONN, "923009990077", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void chatMessagesCarryTheirMediaStateAndFileFacts() {
        byte[] png = TestMedia.png(64, 48);
        String pid = inbound("image", png, "image/png", null);
        JsonNode stored = awaitMessage(pid, m -> "stored".equals(m.path("media").path("state").asString()));
        JsonNode media = stored.path("media");
        assertThat(media.path("sha256").asString()).isEqualTo(TestMedia.sha256(png));
        assertThat(media.path("size").asLong()).isEqualTo(png.length);
        assertThat(media.path("mime_type").asString()).isEqualTo("image/png");
        assertThat(media.path("error").isNull()).isTrue();
        String path = media.path("path").asString();
        assertThat(path).isEqualTo("/api/connections/" + CONN + "/messages/" + stored.path("message_id").asString() + "/media");
        ApiClient.Response file = gw.get(path);
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.contentType()).startsWith("image/png");

        // a file over MEDIA_MAX_BYTES: too_large, no path
        byte[] big = new byte[(int) MAX_BYTES + 20_000];
        new java.util.Random(4).nextBytes(big);
        String bigId = inbound("document", big, "application/zip", "big.zip");
        JsonNode tooLarge = awaitMessage(bigId, m -> "too_large".equals(m.path("media").path("state").asString()));
        assertThat(tooLarge.path("media").path("path").isNull()).isTrue();
        assertThat(tooLarge.path("media").path("file_name").asString()).isEqualTo("big.zip");

        // a text has no media object at all
        String text = gw.post("/api/sandbox/" + CONN + "/inbound", "{\"from\":\"" + CONTACT + "\",\"message\":\"no file here\"}")
                .json().path("provider_message_id").asString();
        JsonNode plain = awaitMessage(text, m -> true);
        assertThat(plain.has("media")).isTrue();
        assertThat(plain.path("media").isNull()).isTrue();
    }

    @Test
    void aContactsPhotoAndVoiceNotePlayInChatsAndAPdfFromTheComposerReachesTheContact() throws IOException {
        String chromium = DashboardE2EIntegrationTest.chromium();
        assertThat(chromium).as("Chromium is missing: install Debian's chromium (apt-get install chromium), "
                + "set CHROMIUM=/path/to/chromium, or leave the browser tests out with -DskipBrowserTests").isNotNull();
        assertThat(NodeScript.packagesInstalled()).as("frontend npm packages (the Maven build installs them)").isTrue();
        Path dir = GatewayHarness.tempDataDir("media-dashboard-files");
        Path png = write(dir.resolve("parcel.png"), TestMedia.png(120, 80));
        Path ogg = write(dir.resolve("voice.ogg"), TestMedia.oggOpus(2));
        byte[] pdfBytes = TestMedia.pdf("Invoice 1042");
        Path pdf = write(dir.resolve("invoice-1042.pdf"), pdfBytes);
        NodeScript.Result r = NodeScript.run("e2e/media-flow.mjs", Map.ofEntries(
                Map.entry("BASE_URL", gw.baseUrl()),
                Map.entry("CONN_ID", CONN),
                Map.entry("ADMIN_EMAIL", "admin@localhost"),
                Map.entry("ADMIN_PASSWORD", "admin-password-for-tests"),
                Map.entry("ADMIN_API_KEY", GatewayHarness.ADMIN_KEY),
                Map.entry("CONTACT_PHONE", CONTACT),
                Map.entry("PNG_FILE", png.toString()),
                Map.entry("OGG_FILE", ogg.toString()),
                Map.entry("PDF_FILE", pdf.toString()),
                Map.entry("SCREENSHOT_DIR", Path.of("target", "e2e-screenshots", "media").toAbsolutePath().toString()),
                Map.entry("CHROMIUM", chromium)), Duration.ofMinutes(5));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(" 0 failed");
        // independently of the script: the contact decrypted exactly the PDF's bytes
        String sha = TestMedia.sha256(pdfBytes);
        assertThat(r.output()).contains("pdf sha256 " + sha);
        JsonNode doc = awaitMessage(null, m -> "outbound".equals(m.path("direction").asString())
                && "document".equals(m.path("type").asString()) && !m.path("provider_message_id").isNull());
        JsonNode seen = gw.awaitSandboxSentContent(CONN, doc.path("provider_message_id").asString());
        assertThat(seen.path("sha256").asString()).isEqualTo(sha);
        assertThat(seen.path("fileName").asString()).as("engine ledger: %s", seen).isEqualTo("invoice-1042.pdf");
    }

    // --- helpers -------------------------------------------------------------------------------

    /** The contact sends a file through the emulator; returns WhatsApp's id of the message. */
    static String inbound(String type, byte[] bytes, String mimeType, String fileName) {
        String body = "{\"from\":\"" + CONTACT + "\",\"type\":\"" + type + "\",\"mime_type\":\"" + mimeType + "\",\"media_base64\":\""
                + Base64.getEncoder().encodeToString(bytes) + "\"" + (fileName == null ? "" : ",\"file_name\":\"" + fileName + "\"") + "}";
        ApiClient.Response r = gw.post("/api/sandbox/" + CONN + "/inbound", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("provider_message_id").asString();
    }

    /**
     * Waits (generously: the machine may be loaded) for a message of the chat, as the chat API
     * shows it, with this WhatsApp id (any when null) that satisfies {@code until}.
     */
    static JsonNode awaitMessage(String providerMessageId, Predicate<JsonNode> until) {
        String url = "/api/connections/" + CONN + "/chats/" + URLEncoder.encode(CHAT, StandardCharsets.UTF_8) + "/messages?limit=50";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = gw.get(url).json();
            for (JsonNode m : last.path("messages")) {
                if ((providerMessageId == null || providerMessageId.equals(m.path("provider_message_id").asString())) && until.test(m)) {
                    return m;
                }
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("no message " + providerMessageId + " as expected within 60 s; last page: " + last);
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
