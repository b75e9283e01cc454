package com.wagateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * First-admin bootstrap and secrets in logs, reading the real log output of the running gateway.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminBootstrapIntegrationTest {

    @Test
    void firstBootCreatesOneAdminWithAGeneratedPasswordShownOnceAndSecretsNeverLogged(CapturedOutput output) {
        Path data = GatewayHarness.tempDataDir("bootstrap");
        Map<String, String> settings = GatewayHarness.defaults(data);
        settings.put("gateway.accounts.admin-password", "");
        settings.put("gateway.accounts.admin-api-key", "");
        String password;
        String apiKey;
        String wrongPassword = "Wrong-Password-That-Must-Not-Leak-42";
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            Matcher m = Pattern.compile("Generated password \\(shown only this once\\): (\\S+)").matcher(output.getOut());
            assertThat(m.find()).as("the generated password is printed").isTrue();
            password = m.group(1);
            assertThat(password).hasSizeGreaterThanOrEqualTo(16);

            gw.anonymous().post("/api/auth/login", "{\"email\":\"admin@localhost\",\"password\":\"" + wrongPassword + "\"}");
            ApiClient admin = gw.browser(true).login("admin@localhost", password);
            apiKey = admin.post("/api/api-keys", "{\"name\":\"script\"}").json().path("key").asString();
            assertThat(apiKey).startsWith("wag_");
            ApiClient viaKey = gw.withKey(apiKey);
            assertThat(viaKey.get("/api/users").json().size()).isEqualTo(1);
            assertThat(viaKey.get("/api/users").json().get(0).path("role").asString()).isEqualTo("admin");
            viaKey.get("/api/get-qr/boot_conn");
            gw.withKey(apiKey + "x").get("/api/connections");
        }
        try (GatewayHarness gw = GatewayHarness.start(settings)) {
            ApiClient viaKey = gw.withKey(apiKey);
            assertThat(viaKey.get("/api/users").json().size()).as("no second admin").isEqualTo(1);
            gw.browser(true).login("admin@localhost", password);
        }
        String log = output.getAll();
        assertThat(count(log, "Generated password")).as("banner printed on the first boot only").isEqualTo(1);
        assertThat(count(log, password)).as("the password appears only in the banner").isEqualTo(1);
        assertThat(log).doesNotContain(apiKey).doesNotContain(apiKey.substring(12)).doesNotContain(wrongPassword);
        assertThat(log).doesNotContain("alice-password-1");
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
