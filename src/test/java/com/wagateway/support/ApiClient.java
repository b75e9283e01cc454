package com.wagateway.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * An HTTP client of the gateway as one kind of caller: with an API key (Bearer), with a session
 * cookie (and, if {@code sendCsrf}, the XSRF-TOKEN cookie copied into X-XSRF-TOKEN, like the
 * dashboard does), or anonymous.
 */
public final class ApiClient {

    /** One HTTP exchange with the body parsed as JSON (null when empty or not JSON). */
    public record Response(int status, JsonNode json, String raw, String contentType, java.net.http.HttpHeaders headers) {
    }

    private final String base;
    private final String apiKey;
    private final CookieManager cookies;
    private final boolean sendCsrf;
    private final HttpClient http;

    private ApiClient(String base, String apiKey, CookieManager cookies, boolean sendCsrf) {
        this.base = base;
        this.apiKey = apiKey;
        this.cookies = cookies;
        this.sendCsrf = sendCsrf;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (cookies != null) {
            b.cookieHandler(cookies);
        }
        this.http = b.build();
    }

    public static ApiClient withKey(String base, String apiKey) {
        return new ApiClient(base, apiKey, null, false);
    }

    public static ApiClient anonymous(String base) {
        return new ApiClient(base, null, null, false);
    }

    /** A browser-like client keeping cookies; {@code sendCsrf} false forgets the CSRF header. */
    public static ApiClient withCookies(String base, boolean sendCsrf) {
        return new ApiClient(base, null, new CookieManager(), sendCsrf);
    }

    /**
     * A client that sends the API key and also keeps whatever cookies the server sets, the way a
     * careless HTTP library would: proves that key requests leave nothing reusable behind.
     */
    public static ApiClient withKeyAndCookies(String base, String apiKey) {
        return new ApiClient(base, apiKey, new CookieManager(), true);
    }

    /** The same cookie jar without the API key (what is left after the key is gone). */
    public ApiClient withoutKey() {
        return new ApiClient(base, null, cookies, sendCsrf);
    }

    /** Logs in (cookie client) and fails the test unless it worked. */
    public ApiClient login(String email, String password) {
        Response r = post("/api/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r.raw());
        }
        get("/api/auth/csrf");
        return this;
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Response post(String path, String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody == null ? "" : jsonBody)));
    }

    public Response put(String path, String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(jsonBody == null ? "" : jsonBody)));
    }

    public Response patch(String path, String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(jsonBody == null ? "" : jsonBody)));
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public Response send(HttpRequest.Builder req) {
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        if (cookies != null && sendCsrf) {
            String token = cookie("XSRF-TOKEN");
            if (token != null) {
                req.header("X-XSRF-TOKEN", token);
            }
        }
        try {
            HttpResponse<String> r = http.send(req.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = null;
            if (!r.body().isBlank()) {
                try {
                    node = GatewayHarness.JSON.readTree(r.body());
                } catch (RuntimeException e) {
                    node = null;
                }
            }
            return new Response(r.statusCode(), node, r.body(), r.headers().firstValue("content-type").orElse(""), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A cookie this client holds, or null. */
    public String cookie(String name) {
        if (cookies == null) {
            return null;
        }
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }
}
