package com.wagateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.config.GatewayProperties;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

/**
 * Signed media URLs: the generated key is kept owner-only and shared by every instance on the data
 * folder; a URL checks as valid until it expires; any change to it is a forgery.
 */
class MediaUrlsTest {

    @TempDir
    Path dataDir;

    private MediaUrls urls(Map<String, String> media) {
        Map<String, String> p = new HashMap<>();
        p.put("gateway.data-dir", dataDir.toString());
        media.forEach((k, v) -> p.put("gateway.media." + k, v));
        GatewayProperties props = new Binder(new MapConfigurationPropertySource(p)).bindOrCreate("gateway", GatewayProperties.class);
        return new MediaUrls(props, new MockEnvironment().withProperty("local.server.port", "18081"));
    }

    /** The query parameters of a signed URL. */
    private static Map<String, String> query(String url) {
        Map<String, String> q = new HashMap<>();
        for (String part : URI.create(url).getRawQuery().split("&")) {
            String[] kv = part.split("=", 2);
            q.put(kv[0], kv[1]);
        }
        return q;
    }

    @Test
    void aGeneratedKeyIsOwnerOnlyAndSharedByEveryInstanceOfTheDataFolder() throws Exception {
        UUID id = UUID.randomUUID();
        String url = urls(Map.of()).urlFor(id);
        Path keyFile = dataDir.resolve(MediaUrls.SECRET_FILE);
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(url).startsWith("http://localhost:18081/api/media/" + id + "?expires=");
        Map<String, String> q = query(url);
        // a second instance (a restart) reads the same key: the URL stays good
        assertThat(urls(Map.of()).check(id.toString(), q.get("expires"), q.get("signature"))).isEqualTo(MediaUrls.Check.VALID);
        assertThat(url).doesNotContain(Files.readString(keyFile).trim());
    }

    @Test
    void anyChangeIsAForgeryAndAnOldUrlHasExpired() {
        MediaUrls urls = urls(Map.of("url-secret", "s3cret-s3cret-s3cret", "public-base-url", "https://wa.example.com/"));
        UUID id = UUID.randomUUID();
        String url = urls.urlFor(id);
        assertThat(url).startsWith("https://wa.example.com/api/media/" + id + "?");
        assertThat(Files.exists(dataDir.resolve(MediaUrls.SECRET_FILE))).as("no key generated when one is configured").isFalse();
        Map<String, String> q = query(url);
        String exp = q.get("expires");
        String sig = q.get("signature");
        assertThat(urls.check(id.toString(), exp, sig)).isEqualTo(MediaUrls.Check.VALID);
        assertThat(urls.check(UUID.randomUUID().toString(), exp, sig)).isEqualTo(MediaUrls.Check.FORGED);
        assertThat(urls.check(id.toString(), String.valueOf(Long.parseLong(exp) + 1), sig)).isEqualTo(MediaUrls.Check.FORGED);
        assertThat(urls.check(id.toString(), exp, sig.substring(1) + "0")).isEqualTo(MediaUrls.Check.FORGED);
        assertThat(urls.check(id.toString(), "-1", sig)).isEqualTo(MediaUrls.Check.FORGED);
        assertThat(urls.check(id.toString(), null, null)).isEqualTo(MediaUrls.Check.FORGED);
        // another key never accepts it
        assertThat(urls(Map.of("url-secret", "another-key")).check(id.toString(), exp, sig)).isEqualTo(MediaUrls.Check.FORGED);

        MediaUrls past = urls(Map.of("url-secret", "s3cret-s3cret-s3cret", "url-ttl", "-10s"));
        Map<String, String> old = query(past.urlFor(id));
        assertThat(past.check(id.toString(), old.get("expires"), old.get("signature"))).isEqualTo(MediaUrls.Check.EXPIRED);
    }
}
