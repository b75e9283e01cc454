package com.wagateway.support;

import com.wagateway.GatewayApplication;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the real gateway in-process for integration tests: embedded PostgreSQL in a data folder
 * of the test's choosing, the real engine process (sandbox mode unless overridden), a random
 * HTTP port. Stopping and starting a harness on the same folder is a server restart.
 */
public final class GatewayHarness implements AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dataDir;
    private final ConfigurableApplicationContext context;
    private final String base;
    private final ApiClient admin;

    private GatewayHarness(Path dataDir, ConfigurableApplicationContext context) {
        this.dataDir = dataDir;
        this.context = context;
        this.base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        this.admin = ApiClient.withKey(base, ADMIN_KEY);
    }

    /** Default settings for tests: sandbox engine, fast QR rotation, short backoff, loopback webhooks. */
    public static Map<String, String> defaults(Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("server.port", "0");
        p.put("gateway.data-dir", dataDir.toString());
        p.put("gateway.sessions-dir", dataDir.resolve("sessions").toString());
        p.put("gateway.database-url", "");
        p.put("gateway.engine.mode", "sandbox");
        p.put("gateway.engine.dir", Path.of("whatsapp").toAbsolutePath().toString());
        p.put("gateway.engine.log-level", "info");
        // one engine process unless a test asks for a pool (keeps CI time; the pool has its own tests)
        p.put("gateway.engine.processes", "1");
        p.put("gateway.engine.sandbox.qr-first", "3s");
        p.put("gateway.engine.sandbox.qr-next", "2s");
        p.put("gateway.engine.sandbox.qr-refs", "3");
        p.put("gateway.lifecycle.reconnect-base", "200ms");
        p.put("gateway.lifecycle.reconnect-max", "2s");
        // get-qr returns as soon as the QR shows; the deadline is generous because the first QR
        // needs the engine process and (emulator socket) a real Baileys handshake, about 10 s on
        // a loaded 2-core machine
        p.put("gateway.lifecycle.qr-wait", "20s");
        p.put("gateway.accounts.admin-api-key", ADMIN_KEY);
        p.put("gateway.accounts.admin-password", "admin-password-for-tests");
        p.put("gateway.messaging.send-rate-per-minute", "0");
        p.put("gateway.messaging.send-retry-base", "100ms");
        p.put("gateway.messaging.sandbox-receipt-delay", "200ms");
        p.put("gateway.messaging.history-fetch-timeout", "5s");
        // webhook receivers in tests listen on loopback; retries are made short
        p.put("gateway.webhooks.allow-private-networks", "true");
        p.put("gateway.webhooks.timeout", "2s");
        p.put("gateway.webhooks.retry-base", "100ms");
        p.put("gateway.webhooks.retry-max", "500ms");
        p.put("gateway.webhooks.poll-interval", "200ms");
        p.put("DOTENV_FILE", dataDir.resolve("no.env").toString());
        // every harness gets its own Socket.IO port, bound by the kernel (0): several gateways may
        // run on this machine at once, and a port picked in advance can be taken before it is bound
        p.put("gateway.realtime.port", "0");
        return p;
    }

    public static GatewayHarness start(Path dataDir) {
        return start(defaults(dataDir));
    }

    /** Starts the application with these settings (given as command-line arguments: highest precedence). */
    public static GatewayHarness start(Map<String, String> settings) {
        List<String> args = new ArrayList<>();
        settings.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(GatewayApplication.class)
                .run(args.toArray(String[]::new));
        return new GatewayHarness(Path.of(settings.get("gateway.data-dir")), ctx);
    }

    /**
     * Records every status published for {@code connectionId} from now on (after its commit), so a
     * test can assert a sequence, transient states included.
     */
    public List<String> recordStatuses(String connectionId) {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.addApplicationListener((org.springframework.context.ApplicationListener<
                org.springframework.context.PayloadApplicationEvent<com.wagateway.services.ConnectionStatusChanged>>) e -> {
            if (e.getPayload().connection().connectionId().equals(connectionId)) {
                seen.add(e.getPayload().connection().status().wire());
            }
        });
        return seen;
    }

    /**
     * Waits until a list from {@link #recordStatuses} has seen {@code status}. The status event is
     * published after its commit, so it can reach the list a moment after the API already answers
     * the new status: assert a recorded sequence only after this.
     */
    public static void awaitRecorded(List<String> seen, String status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seen.contains(status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + status + " status event within " + timeout + "; seen: " + seen);
            }
            sleep(20);
        }
    }

    /** Calls {@code listener} for every application event of {@code type} published from now on. */
    public <E> void onEvent(Class<E> type, java.util.function.Consumer<E> listener) {
        context.addApplicationListener((org.springframework.context.ApplicationListener<
                org.springframework.context.PayloadApplicationEvent<?>>) e -> {
            if (type.isInstance(e.getPayload())) {
                listener.accept(type.cast(e.getPayload()));
            }
        });
    }

    /** Records every application event of {@code type} published from now on. */
    public <T> List<T> recordEvents(Class<T> type) {
        List<T> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        onEvent(type, seen::add);
        return seen;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path sessionDir(String connectionId) {
        return dataDir.resolve("sessions").resolve(connectionId);
    }

    public String baseUrl() {
        return base;
    }

    /** The port of this gateway's Socket.IO server. */
    public int realtimePort() {
        return context.getBean(com.wagateway.realtime.RealtimeServer.class).port();
    }

    /**
     * The statuses a 200 answer of a send may report: WhatsApp took the message, and the
     * recipient's receipt (the sandbox sends one after 200 ms) may already have overtaken the answer.
     */
    public static final String[] SEND_ACCEPTED = {"sent", "delivered", "read"};

    /** The admin API key every harness is started with ({@code ADMIN_API_KEY}). */
    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";

    /** The client most tests use: the admin API key. */
    public ApiClient admin() {
        return admin;
    }

    public ApiClient withKey(String key) {
        return ApiClient.withKey(base, key);
    }

    public ApiClient anonymous() {
        return ApiClient.anonymous(base);
    }

    public ApiClient browser(boolean sendCsrf) {
        return ApiClient.withCookies(base, sendCsrf);
    }

    public ApiClient.Response get(String path) {
        return admin.get(path);
    }

    public ApiClient.Response post(String path, String jsonBody) {
        return admin.post(path, jsonBody);
    }

    public ApiClient.Response delete(String path) {
        return admin.delete(path);
    }

    public ApiClient.Response send(HttpRequest.Builder req) {
        return admin.send(req);
    }

    /** Polls the status endpoint until {@code until} holds; fails with the last status after the timeout. */
    public JsonNode awaitStatus(String id, Predicate<JsonNode> until, Duration timeout) {
        return awaitStatus(admin, id, until, timeout);
    }

    /** {@link #awaitStatus(String, Predicate, Duration)} through any client (e.g. a node in a JVM of its own). */
    public static JsonNode awaitStatus(ApiClient api, String id, Predicate<JsonNode> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = api.get("/api/whatsapp-web/status/" + id);
            last = r.json();
            if (r.status() == 200 && until.test(last)) {
                return last;
            }
            sleep(50);
        }
        throw new AssertionError("status of " + id + " did not reach the expected state in " + timeout + "; last: " + last);
    }

    /** Creates (if needed), connects and links {@code id} with the simulated phone {@code phone}; returns when ready. */
    public JsonNode link(String id, String phone) {
        return link(id, phone, Duration.ofSeconds(15));
    }

    /** {@link #link(String, String)}, waiting up to {@code readyWithin} for ready (benchmarks on a loaded machine). */
    public JsonNode link(String id, String phone, Duration readyWithin) {
        return link(admin, id, phone, readyWithin);
    }

    /** {@link #link(String, String, Duration)} through any client: the node it calls runs the connection. */
    public static JsonNode link(ApiClient api, String id, String phone, Duration readyWithin) {
        ApiClient.Response qr = api.get("/api/get-qr/" + id);
        if (!"qr_ready".equals(qr.json().path("status").asString())) {
            throw new AssertionError("no QR for " + id + ": " + qr.raw());
        }
        ApiClient.Response scan = api.post("/api/sandbox/" + id + "/scan", "{\"phone\":\"" + phone + "\"}");
        if (scan.status() != 200) {
            throw new AssertionError("scan failed: " + scan.raw());
        }
        return awaitStatus(api, id, s -> "ready".equals(s.path("status").asString()), readyWithin);
    }

    /**
     * Positive proof, without waiting, that nothing can restart {@code id} by itself: it is not
     * wanted running (late engine events and timers are ignored for it) and no reconnect timer is
     * pending. Returns the current status.
     */
    public JsonNode assertNothingRestarts(String id) {
        JsonNode s = get("/api/whatsapp-web/status/" + id).json();
        if (s.path("wanted_running").asBoolean(true)) {
            throw new AssertionError(id + " is still wanted running: " + s);
        }
        if (bean(com.wagateway.services.ConnectionScheduler.class).hasPending(id)) {
            throw new AssertionError(id + " has a reconnect timer pending");
        }
        return s;
    }

    /**
     * How often this message id reached its recipient (engine {@code sandbox.sent}): with the
     * emulator, 1 once the contact got it, however often the device sent that id (WhatsApp
     * dedupes by id); with the simulated socket, how often it was relayed.
     */
    public int sandboxSentCount(String connectionId, String providerMessageId) {
        com.wagateway.whatsapp.RawEngineCommands engine = bean(com.wagateway.whatsapp.RawEngineCommands.class);
        int n = 0;
        for (JsonNode m : engine.sandbox("sent", connectionId, engine.newArgs()).join().path("messages")) {
            if (providerMessageId.equals(m.path("id").asString())) {
                n += m.path("count").asInt();
            }
        }
        return n;
    }

    /**
     * What the emulator's contact saw of this message id ({@code sandbox.sent}'s {@code content}:
     * type, text, caption, file name, the SHA-256 of decrypted media, location, poll, ...), or
     * null while no contact has decrypted it.
     */
    public JsonNode sandboxSentContent(String connectionId, String providerMessageId) {
        com.wagateway.whatsapp.RawEngineCommands engine = bean(com.wagateway.whatsapp.RawEngineCommands.class);
        for (JsonNode m : engine.sandbox("sent", connectionId, engine.newArgs()).join().path("messages")) {
            if (providerMessageId.equals(m.path("id").asString())) {
                return m.path("content");
            }
        }
        return null;
    }

    /** {@link #sandboxSentContent}, waiting up to 15 s for the contact to have decrypted it. */
    public JsonNode awaitSandboxSentContent(String connectionId, String providerMessageId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode c = sandboxSentContent(connectionId, providerMessageId);
            if (c != null) {
                return c;
            }
            sleep(50);
        }
        throw new AssertionError("no contact decrypted " + providerMessageId + " within 15 s");
    }

    /** Runs a SQL count (tests check what was stored). */
    /** The stored message with this client id, as {@code GET /api/connections/{id}/messages/{cid}} answers. */
    public JsonNode message(String connectionId, String clientMessageId) {
        return get("/api/connections/" + connectionId + "/messages/" + clientMessageId).json();
    }

    /** Polls {@link #message} until {@code until} holds; fails with the last answer after {@code timeout}. */
    public JsonNode awaitMessage(String connectionId, String clientMessageId, Predicate<JsonNode> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = message(connectionId, clientMessageId);
            if (until.test(last)) {
                return last;
            }
            sleep(50);
        }
        throw new AssertionError("message " + clientMessageId + " did not reach the expected state; last: " + last);
    }

    /** A new user (password {@code password-of-<email>}) with an API key of their own; fails the test if either is refused. */
    public String newUserKey(String email) {
        ApiClient.Response u = post("/api/users", "{\"email\":\"" + email + "\",\"password\":\"password-of-" + email + "\"}");
        if (u.status() != 201) {
            throw new AssertionError("user not created: " + u.raw());
        }
        ApiClient.Response k = browser(true).login(email, "password-of-" + email).post("/api/api-keys", "{\"name\":\"tests\"}");
        if (k.status() != 201) {
            throw new AssertionError("API key not created: " + k.raw());
        }
        return k.json().path("key").asString();
    }

    public long count(String sql, Object... params) {
        return bean(org.springframework.jdbc.core.simple.JdbcClient.class).sql(sql).params(params)
                .query(Long.class).single();
    }

    public JsonNode awaitStatus(String id, String status, Duration timeout) {
        return awaitStatus(id, s -> status.equals(s.path("status").asString()), timeout);
    }

    /** Closes each in order, best effort: a failing close does not stop the next ones (test tear-down). */
    public static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort: the next closes still run
            }
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the application (engine, web server, embedded database), like a clean shutdown. */
    @Override
    public void close() {
        context.close();
    }

    public static Path tempDataDir(String name) {
        try {
            Path root = Path.of("target", "it-data");
            Files.createDirectories(root);
            return Files.createTempDirectory(root.toAbsolutePath(), name + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
