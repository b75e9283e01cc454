package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sending images through the real engine (sandbox) and real PostgreSQL: an image goes out with
 * its caption and is stored with its type, size and MIME type, its bytes are dropped from the
 * queue once sent, a repeat is answered from the database and a different image under the same
 * {@code client_message_id} is a conflict; every bad image (private or non-HTTP URL, a type that
 * is not allowed, bad base64, a MIME type that does not match the bytes, no source) is refused with
 * its field and code and stores nothing.
 */
class ImageSendIntegrationTest {

    static GatewayHarness gw;
    static final String ID = "msg_images";
    static final String PEER = "923001112233";
    /** A 1x1 PNG. */
    static final String PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    @BeforeAll
    static void start() {
        Map<String, String> settings = GatewayHarness.defaults(GatewayHarness.tempDataDir("images"));
        settings.put("gateway.webhooks.allow-private-networks", "false"); // image_url on loopback must be refused
        gw = GatewayHarness.start(settings);
        gw.link(ID, "923009990002");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anImageIsSentWithItsCaptionAndStoredWithItsType() {
        ApiClient.Response r = gw.post("/api/send-image", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"image_base64\":\"" + PNG_1X1 + "\",\"mime_type\":\"image/png\",\"caption\":\"a dot\",\"client_message_id\":\"img-1\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isIn((Object[]) GatewayHarness.SEND_ACCEPTED);
        JsonNode m = gw.message(ID, "img-1");
        assertThat(m.path("type").asString()).isEqualTo("image");
        assertThat(m.path("mime_type").asString()).isEqualTo("image/png");
        assertThat(m.path("caption").asString()).isEqualTo("a dot");
        assertThat(m.path("file_length").asLong()).isEqualTo(java.util.Base64.getDecoder().decode(PNG_1X1).length);
        // the queued payload (the image bytes) is dropped once sent; the sent content is kept for getMessage
        assertThat(gw.count("SELECT count(*) FROM messages WHERE client_message_id = 'img-1' AND outgoing IS NULL AND content IS NOT NULL")).isEqualTo(1);
        // a repeat is answered from the database, a different image under the same id is a conflict
        assertThat(gw.post("/api/send-image", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"image_base64\":\"" + PNG_1X1 + "\",\"mime_type\":\"image/png\",\"caption\":\"a dot\",\"client_message_id\":\"img-1\"}").status()).isEqualTo(200);
        assertThat(gw.post("/api/send-image", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER
                + "\",\"image_base64\":\"" + PNG_1X1 + "\",\"caption\":\"another\",\"client_message_id\":\"img-1\"}").status()).isEqualTo(409);
    }

    @Test
    void badImagesAreRefusedAndStoreNothing() {
        // what a send could store: outbound rows that are not history (a history sync of an earlier
        // test may still be landing and must not make this test fail)
        String sends = "SELECT count(*) FROM messages WHERE direction = 'outbound' AND NOT from_history";
        long before = gw.count(sends);
        String gif = java.util.Base64.getEncoder().encodeToString("GIF89a-not-allowed".getBytes());
        String[][] cases = {
                {"\"image_url\":\"http://127.0.0.1:9/cat.png\"", "image_url", "private_network"},
                {"\"image_url\":\"ftp://example.com/cat.png\"", "image_url", "invalid_url"},
                {"\"image_base64\":\"" + gif + "\"", "image_base64", "unsupported_image_type"},
                {"\"image_base64\":\"%%%\"", "image_base64", "invalid_base64"},
                {"\"image_base64\":\"" + PNG_1X1 + "\",\"mime_type\":\"image/jpeg\"", "mime_type", "mime_type_mismatch"},
                {"\"caption\":\"no image\"", "image_url", "invalid_image_source"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = gw.post("/api/send-image", "{\"connection_id\":\"" + ID + "\",\"to\":\"" + PEER + "\"," + c[0] + "}");
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").path("field").asString()).as(r.raw()).isEqualTo(c[1]);
            assertThat(r.json().path("error").path("code").asString()).as(r.raw()).isEqualTo(c[2]);
        }
        assertThat(gw.count(sends)).isEqualTo(before);
    }
}
