package com.wagateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.ApiClient;
import com.wagateway.support.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Users, API keys, sessions, CSRF and tenant isolation, through the real server and PostgreSQL. */
class AccountsIntegrationTest {

    static GatewayHarness gw;
    static ApiClient alice;
    static ApiClient bob;

    @BeforeAll
    static void start() {
        gw = GatewayHarness.start(GatewayHarness.tempDataDir("accounts"));
        alice = gw.withKey(createUserWithKey("alice@example.com", "alice-password-1"));
        bob = gw.withKey(createUserWithKey("bob@example.com", "bob-password-12"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** Admin creates the user; the user logs in with a cookie session and creates an API key. */
    static String createUserWithKey(String email, String password) {
        ApiClient.Response u = gw.post("/api/users", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        assertThat(u.status()).as(u.raw()).isEqualTo(201);
        ApiClient browser = gw.browser(true).login(email, password);
        ApiClient.Response k = browser.post("/api/api-keys", "{\"name\":\"tests\"}");
        assertThat(k.status()).as(k.raw()).isEqualTo(201);
        return k.json().path("key").asString();
    }

    @Test
    void anotherUsersConnectionIsNotFoundAndUntouched() throws Exception {
        assertThat(alice.get("/api/get-qr/alice_conn").json().path("status").asString()).isEqualTo("qr_ready");
        assertThat(alice.post("/api/sandbox/alice_conn/scan", "{\"phone\":\"923004445566\"}").status()).isEqualTo(200);
        awaitReady(alice, "alice_conn");
        JsonNode before = alice.get("/api/connections/alice_conn").json();
        String credsBefore = linkedIdentity(gw.sessionDir("alice_conn").resolve("creds.json"));

        List<ApiClient.Response> attempts = List.of(
                bob.get("/api/get-qr/alice_conn"),
                bob.post("/api/whatsapp-web/connect", "{\"tenantId\":\"alice_conn\"}"),
                bob.get("/api/whatsapp-web/qr/alice_conn"),
                bob.get("/api/whatsapp-web/status/alice_conn"),
                bob.post("/api/whatsapp-web/disconnect", "{\"tenantId\":\"alice_conn\"}"),
                bob.get("/api/connections/alice_conn"),
                bob.post("/api/connections/alice_conn/connect", null),
                bob.post("/api/connections/alice_conn/disconnect", null),
                bob.post("/api/connections/alice_conn/logout", null),
                bob.delete("/api/connections/alice_conn"),
                bob.post("/api/sandbox/alice_conn/scan", "{\"phone\":\"923001112233\"}"),
                bob.post("/api/sandbox/alice_conn/drop", "{\"code\":401}"));
        ApiClient.Response unknown = bob.get("/api/whatsapp-web/status/nobody_conn");
        for (ApiClient.Response r : attempts) {
            assertThat(r.status()).as(r.raw()).isEqualTo(404);
            assertThat(r.json().path("error").path("code").asString()).isEqualTo("connection_not_found");
            assertThat(r.json().path("error").path("message").asString())
                    .isEqualTo(unknown.json().path("error").path("message").asString().replace("nobody_conn", "alice_conn"));
        }

        // marker: a message through alice's socket is handled after anything bob's calls could have
        // set off in the engine (a drop would have closed the socket and failed this)
        ApiClient.Response in = alice.post("/api/sandbox/alice_conn/inbound", "{\"from\":\"923001110003\",\"message\":\"marker\"}");
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        String markerId = in.json().path("provider_message_id").asString();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (gw.count("SELECT count(*) FROM messages WHERE connection_id = 'alice_conn' AND provider_message_id = ?", markerId) == 0
                && System.nanoTime() < deadline) {
            GatewayHarness.sleep(50);
        }
        assertThat(gw.count("SELECT count(*) FROM messages WHERE connection_id = 'alice_conn' AND provider_message_id = ?", markerId)).isEqualTo(1);
        JsonNode after = alice.get("/api/connections/alice_conn").json();
        assertThat(after.path("status").asString()).isEqualTo("ready");
        assertThat(after.path("updated_at").asString()).isEqualTo(before.path("updated_at").asString());
        assertThat(after.path("phone").asString()).isEqualTo("923004445566");
        assertThat(linkedIdentity(gw.sessionDir("alice_conn").resolve("creds.json"))).isEqualTo(credsBefore);

        // lists are per owner; the admin sees everyone's and can act on them
        bob.get("/api/get-qr/bob_conn");
        assertThat(ids(bob.get("/api/whatsapp-web/connections"))).containsExactly("bob_conn");
        assertThat(ids(alice.get("/api/whatsapp-web/connections"))).contains("alice_conn").allMatch(id -> id.startsWith("alice_"));
        assertThat(ids(gw.get("/api/whatsapp-web/connections"))).contains("alice_conn", "bob_conn");
        assertThat(gw.get("/api/whatsapp-web/status/alice_conn").status()).isEqualTo(200);
        assertThat(gw.get("/api/whatsapp-web/status/bob_conn").status()).isEqualTo(200);
        assertThat(gw.post("/api/connections/bob_conn/disconnect", null).json().path("status").asString()).isEqualTo("disconnected");
        // creating an id someone else owns is refused without touching it
        assertThat(bob.post("/api/connections", "{\"connection_id\":\"alice_conn\"}").status()).isEqualTo(409);
        assertThat(alice.get("/api/connections/alice_conn").json().path("status").asString()).isEqualTo("ready");
    }

    @Test
    void sessionFoldersAreOwnerOnly() throws Exception {
        alice.get("/api/get-qr/alice_perm");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(gw.sessionDir("alice_perm"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(gw.sessionDir("alice_perm").resolve("creds.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void revokedKeyIsRefusedOnTheNextRequest() {
        ApiClient browser = gw.browser(true).login("alice@example.com", "alice-password-1");
        JsonNode created = browser.post("/api/api-keys", "{\"name\":\"short-lived\"}").json();
        ApiClient key = gw.withKey(created.path("key").asString());
        assertThat(key.get("/api/auth/me").json().path("email").asString()).isEqualTo("alice@example.com");
        // the list never shows the secret
        JsonNode list = browser.get("/api/api-keys").json();
        assertThat(list.toString()).doesNotContain(created.path("key").asString());
        assertThat(list.valueStream().map(k -> k.path("prefix").asString())).contains(created.path("prefix").asString());
        // bob cannot revoke alice's key: same 404 as an unknown key
        assertThat(bob.delete("/api/api-keys/" + created.path("id").asString()).status()).isEqualTo(404);
        assertThat(browser.delete("/api/api-keys/" + created.path("id").asString()).status()).isEqualTo(200);
        ApiClient.Response r = key.get("/api/auth/me");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("invalid_api_key");
    }

    /**
     * Issue 12.1: an API-key request is stateless. It never gets a cookie (neither a session nor
     * an XSRF-TOKEN), so after the key is revoked a client that kept every cookie it was sent has
     * nothing that authenticates, and nothing that can mint a new key.
     */
    @Test
    void apiKeyRequestsSetNoCookieAndLeaveNothingAfterRevocation() {
        ApiClient browser = gw.browser(true).login("alice@example.com", "alice-password-1");
        JsonNode created = browser.post("/api/api-keys", "{\"name\":\"stateless\"}").json();
        ApiClient keyWithJar = ApiClient.withKeyAndCookies(gw.baseUrl(), created.path("key").asString());
        List<ApiClient.Response> calls = List.of(
                keyWithJar.get("/api/auth/me"),
                keyWithJar.get("/api/auth/csrf"),
                keyWithJar.get("/api/connections"),
                keyWithJar.post("/api/connections", "{\"connection_id\":\"alice_stateless\"}"),
                keyWithJar.get("/api/whatsapp-web/status/alice_stateless"));
        for (ApiClient.Response r : calls) {
            assertThat(r.status()).as(r.raw()).isBetween(200, 299);
            assertThat(r.headers().allValues("set-cookie")).as(r.raw()).isEmpty();
        }
        // a login that carries a key is refused: a key never turns into a session
        ApiClient.Response login = keyWithJar.post("/api/auth/login",
                "{\"email\":\"alice@example.com\",\"password\":\"alice-password-1\"}");
        assertThat(login.status()).isEqualTo(400);
        assertThat(login.json().path("error").path("code").asString()).isEqualTo("api_key_not_allowed");
        assertThat(login.headers().allValues("set-cookie")).isEmpty();
        assertThat(keyWithJar.cookie("WAGW_SESSION")).isNull();
        assertThat(keyWithJar.cookie("XSRF-TOKEN")).isNull();

        assertThat(browser.delete("/api/api-keys/" + created.path("id").asString()).status()).isEqualTo(200);
        ApiClient leftover = keyWithJar.withoutKey();
        assertThat(leftover.get("/api/auth/me").status()).isEqualTo(401);
        ApiClient.Response mint = leftover.post("/api/api-keys", "{\"name\":\"minted\"}");
        assertThat(mint.status()).isEqualTo(401);
        assertThat(browser.get("/api/api-keys").json().valueStream().map(k -> k.path("name").asString()))
                .doesNotContain("minted");
        assertThat(keyWithJar.get("/api/auth/me").status()).isEqualTo(401);
    }

    /** Issue 12.1: 1,000 API-key requests create no server session (the count stays flat). */
    @Test
    void sessionCountStaysFlatUnderApiKeyTraffic() throws Exception {
        io.micrometer.core.instrument.MeterRegistry meters = gw.bean(io.micrometer.core.instrument.MeterRegistry.class);
        double createdBefore = meterValue(meters, "tomcat.sessions.created");
        double activeBefore = meterValue(meters, "tomcat.sessions.active.current");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String path = i % 2 == 0 ? "/api/auth/me" : "/api/connections";
                results.add(pool.submit(() -> alice.get(path).status()));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(meterValue(meters, "tomcat.sessions.created")).isEqualTo(createdBefore);
        assertThat(meterValue(meters, "tomcat.sessions.active.current")).isEqualTo(activeBefore);
    }

    static double meterValue(io.micrometer.core.instrument.MeterRegistry meters, String name) {
        return meters.get(name).meter().measure().iterator().next().getValue();
    }

    /**
     * Issue 12.7: the limit holds under concurrency. 40 simultaneous wrong passwords for one
     * account: at most 5 are checked (answered 401), every other one is refused with 429.
     */
    @Test
    void concurrentWrongPasswordsAreCheckedAtMostFiveTimes() throws Exception {
        gw.post("/api/users", "{\"email\":\"frank@example.com\",\"password\":\"frank-password-1\"}");
        int guesses = 40;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(guesses);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < guesses; i++) {
                ApiClient anon = gw.anonymous();
                results.add(pool.submit(() -> {
                    go.await();
                    return anon.post("/api/auth/login", "{\"email\":\"frank@example.com\",\"password\":\"wrong-guess-1\"}").status();
                }));
            }
            go.countDown();
            int checked = 0;
            int limited = 0;
            for (java.util.concurrent.Future<Integer> f : results) {
                int status = f.get();
                if (status == 401) {
                    checked++;
                } else if (status == 429) {
                    limited++;
                }
            }
            assertThat(checked).isEqualTo(5);
            assertThat(limited).isEqualTo(guesses - 5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongPasswordsAreRateLimitedAndAnswerLikeUnknownEmails() {
        gw.post("/api/users", "{\"email\":\"carol@example.com\",\"password\":\"carol-password-1\"}");
        ApiClient anon = gw.anonymous();
        ApiClient.Response unknownEmail = anon.post("/api/auth/login", "{\"email\":\"nobody@example.com\",\"password\":\"whatever-123\"}");
        ApiClient.Response wrongPassword = anon.post("/api/auth/login", "{\"email\":\"carol@example.com\",\"password\":\"wrong-pass-1\"}");
        assertThat(unknownEmail.status()).isEqualTo(401);
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.json().path("error")).isEqualTo(unknownEmail.json().path("error"));
        for (int i = 0; i < 4; i++) {
            assertThat(anon.post("/api/auth/login", "{\"email\":\"carol@example.com\",\"password\":\"wrong-pass-1\"}").status())
                    .isEqualTo(401);
        }
        ApiClient.Response limited = anon.post("/api/auth/login", "{\"email\":\"carol@example.com\",\"password\":\"carol-password-1\"}");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().path("error").path("code").asString()).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    }

    @Test
    void cookieRequestsNeedTheCsrfTokenApiKeyRequestsDoNot() {
        ApiClient noCsrf = gw.browser(false).login("alice@example.com", "alice-password-1");
        assertThat(noCsrf.get("/api/auth/me").status()).isEqualTo(200);
        ApiClient.Response refused = noCsrf.post("/api/api-keys", "{\"name\":\"x\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("csrf_invalid");
        assertThat(noCsrf.get("/api/api-keys").json().valueStream().map(k -> k.path("name").asString())).doesNotContain("x");

        // no key and no session cookie: nothing to forge, so the answer is 401, not a CSRF refusal
        ApiClient.Response keyless = gw.anonymous().post("/api/send-message",
                "{\"connection_id\":\"alice_main\",\"to\":\"923001234567\",\"message\":\"hi\"}");
        assertThat(keyless.status()).isEqualTo(401);
        assertThat(keyless.json().path("error").path("code").asString()).isEqualTo("unauthenticated");

        ApiClient withCsrf = gw.browser(true).login("alice@example.com", "alice-password-1");
        assertThat(withCsrf.post("/api/connections", "{\"connection_id\":\"alice_csrf\"}").status()).isEqualTo(201);
        assertThat(alice.post("/api/connections", "{\"connection_id\":\"alice_nocsrf\"}").status()).isEqualTo(201);
    }

    @Test
    void logoutEndsTheSession() {
        ApiClient b = gw.browser(true).login("alice@example.com", "alice-password-1");
        assertThat(b.post("/api/auth/logout", null).status()).isEqualTo(200);
        assertThat(b.get("/api/auth/me").status()).isEqualTo(401);
    }

    @Test
    void unauthenticatedIs401JsonAndAdminOnlyIs403() {
        ApiClient anon = gw.anonymous();
        for (String path : new String[] {"/api/connections", "/api/get-qr/x1", "/api/whatsapp-web/connections", "/api/users"}) {
            ApiClient.Response r = anon.get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.json().path("error").path("code").asString()).isEqualTo("unauthenticated");
        }
        assertThat(gw.withKey("wag_not-a-real-key").get("/api/connections").status()).isEqualTo(401);
        assertThat(gw.withKey("wag_not-a-real-key").get("/api/connections").json().path("error").path("code").asString())
                .isEqualTo("invalid_api_key");
        ApiClient.Response forbidden = alice.get("/api/users");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("error").path("code").asString()).isEqualTo("forbidden");
        assertThat(anon.get("/actuator/health").status()).isEqualTo(200);
    }

    @Test
    void disabledUserLosesSessionAndKeys() {
        ApiClient.Response u = gw.post("/api/users", "{\"email\":\"dave@example.com\",\"password\":\"dave-password-1\"}");
        String id = u.json().path("id").asString();
        ApiClient browser = gw.browser(true).login("dave@example.com", "dave-password-1");
        ApiClient key = gw.withKey(browser.post("/api/api-keys", "{\"name\":\"k\"}").json().path("key").asString());
        assertThat(key.get("/api/auth/me").status()).isEqualTo(200);
        assertThat(gw.post("/api/users/" + id + "/disable", null).json().path("disabled").asBoolean()).isTrue();
        assertThat(browser.get("/api/auth/me").status()).isEqualTo(401);
        assertThat(key.get("/api/auth/me").status()).isEqualTo(401);
        assertThat(gw.anonymous().post("/api/auth/login", "{\"email\":\"dave@example.com\",\"password\":\"dave-password-1\"}").status())
                .isEqualTo(401);
        // reset password + enable: logs in again with the generated password
        String generated = gw.post("/api/users/" + id + "/reset-password", null).json().path("password").asString();
        gw.post("/api/users/" + id + "/enable", null);
        gw.browser(true).login("dave@example.com", generated);
    }

    @Test
    void securityHeadersOnEveryResponse() {
        for (ApiClient.Response r : List.of(gw.get("/api/connections"), gw.anonymous().get("/api/connections"),
                gw.anonymous().get("/actuator/health"))) {
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("frame-ancestors 'none'");
        }
    }

    @Test
    void apiDocsArePublic() {
        ApiClient.Response r = gw.anonymous().get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw()).contains("/api/get-qr/{connection_id}").contains("/api/whatsapp-web/connect");
    }

    @Test
    void signupIsClosedByDefault() {
        ApiClient.Response r = gw.anonymous().post("/api/auth/signup", "{\"email\":\"eve@example.com\",\"password\":\"eve-password-1\"}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(gw.anonymous().post("/api/auth/login", "{\"email\":\"eve@example.com\",\"password\":\"eve-password-1\"}").status())
                .isEqualTo(401);
    }

    static void awaitReady(ApiClient c, String id) {
        long deadline = System.currentTimeMillis() + Duration.ofSeconds(10).toMillis();
        while (System.currentTimeMillis() < deadline) {
            if ("ready".equals(c.get("/api/whatsapp-web/status/" + id).json().path("status").asString())) {
                return;
            }
            GatewayHarness.sleep(50);
        }
        throw new AssertionError(id + " not ready");
    }

    static List<String> ids(ApiClient.Response r) {
        return r.json().valueStream().map(n -> n.path("connection_id").asString()).toList();
    }

    /**
     * What a logout, re-pairing or unlinking would change in a session's creds.json: the linked
     * account, the device's registration id and its noise, identity and ADV keys. The rest of the
     * file (prekey counters, history and app-state progress) a live socket rewrites by itself.
     */
    static String linkedIdentity(java.nio.file.Path p) throws Exception {
        JsonNode c = tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(p));
        String identity = String.join("|", c.path("me").path("id").asString(), c.path("registrationId").toString(),
                c.path("noiseKey").path("public").toString(), c.path("signedIdentityKey").path("public").toString(),
                c.path("advSecretKey").toString());
        assertThat(c.path("me").path("id").asString()).as("a linked session").isNotEmpty();
        return identity;
    }
}
