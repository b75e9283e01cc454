package com.wagateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The emulated WhatsApp as a process of its own ({@code node whatsapp/emulator/server.js}), for
 * the benchmark: the gateway's engine then connects to it through {@code SANDBOX_EMULATOR_URL},
 * so the engine's resident set is the engine alone (Baileys sockets, Signal stores) and the
 * emulator's share (its contacts' Signal sessions, the accounts) is measured separately. It also
 * puts the contacts' encryption on its own event loop, as a real WhatsApp would be elsewhere.
 * Guarantees: {@link #start} returns only once the emulator printed its URL (it listens);
 * {@link #close} stops it and waits for it; its stderr goes to a file in its data folder.
 */
public final class EmulatorProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private EmulatorProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts the emulator on a free loopback port, contacts' automatic receipts off (the
     * benchmark's sandbox receipts are off too); {@code logDir} gets its stderr. Its state stays
     * in its memory, not on disk: it outlives the gateway's restart in the connections scenario
     * (the accounts log in again without a QR), and with 1,000 linked devices (812 uploaded
     * prekeys each) a persisted state file would be rewritten, tens of MB at a time, all through
     * the ramp, on the same 2 cores as the gateway.
     */
    public static EmulatorProcess start(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path whatsapp = Path.of("whatsapp").toAbsolutePath();
        // the same node as the engine's (NODE_BINARY: e.g. a wrapper adding --cpu-prof for profiling)
        String node = System.getenv().getOrDefault("NODE_BINARY", "node");
        // media blobs on disk (the media flood hosts hundreds of MB: neither evicted before the
        // device downloads them nor counted in the emulator's resident set)
        ProcessBuilder pb = new ProcessBuilder(List.of(node, "emulator/server.js", "--port", "0",
                "--delivery-delay-ms", "none", "--media-dir", logDir.resolve("media-blobs").toAbsolutePath().toString(),
                "--media-max-mb", "8192"))
                .directory(whatsapp.toFile())
                .redirectError(logDir.resolve("emulator.stderr.log").toFile());
        Process p = pb.start();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith("ws://127.0.0.1:")) {
            p.destroyForcibly();
            throw new IOException("the emulator did not start (see " + logDir.resolve("emulator.stderr.log") + "): " + line);
        }
        // an interrupted benchmark (Ctrl-C) must not leave the emulator running
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "bench-emulator-stop"));
        return new EmulatorProcess(p, line.trim());
    }

    /** Its WebSocket URL ({@code ws://127.0.0.1:N/ws/chat}), for {@code gateway.engine.sandbox.emulator-url}. */
    public String url() {
        return url;
    }

    /**
     * The emulator's counters ({@code GET /control/info} {@code stats}): {@code logins},
     * {@code replaced} (a second live login of one device, answered 440: the cluster tests
     * require 0), ...
     */
    public tools.jackson.databind.JsonNode stats() {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url.replaceFirst("^ws://", "http://").replaceFirst("/ws/chat$", "") + "/control/info"))
                .timeout(java.time.Duration.ofSeconds(30)).GET().build();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        try {
            String body = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body).path("stats");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A flood from the emulator's contacts straight to the account {@code phone} (control API
     * {@code POST /control/burst}, docs/emulator.md): {@code count} stamped texts from
     * {@code senders} contacts, {@code batch} per step, of which {@code mediaPercent} % are
     * images of {@code mediaBytes} distinct bytes each (the text as caption). Completes with the
     * emulator's answer once every stanza is written (not when the gateway stored them: callers
     * count that themselves), or exceptionally on a refusal.
     */
    java.util.concurrent.CompletableFuture<String> burst(String phone, int count, int batch, int senders, int mediaPercent,
                                                         int mediaBytes) {
        String body = "{\"phone\":\"" + phone + "\",\"count\":" + count + ",\"batch\":" + batch + ",\"senders\":" + senders
                + ",\"timeoutMs\":0,\"mediaPercent\":" + mediaPercent + ",\"mediaBytes\":" + mediaBytes + "}";
        // HTTP/1.1: the JDK's default h2c upgrade header makes the emulator take the request for a WebSocket upgrade (404)
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url.replaceFirst("^ws://", "http://").replaceFirst("/ws/chat$", "") + "/control/burst"))
                .timeout(java.time.Duration.ofMinutes(10))
                .header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        // a client per burst, so a fresh connection: the emulator (Node) closes an idle kept-alive
        // connection after 5 s, and a POST sent on one it is closing was reset before it arrived
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        return http.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("emulator burst refused: " + r.statusCode() + " " + r.body());
            }
            return r.body();
        });
    }


    /**
     * A text from the emulator's contact {@code from} to the account {@code phone} (control API
     * {@code POST /control/inbound}) with the WhatsApp id {@code messageId}: delivered now to the
     * account's live device, or kept for its next login, as WhatsApp does. Returns the emulator's
     * answer ({@code id}, {@code live}, {@code queued}); fails on a refusal.
     */
    public tools.jackson.databind.JsonNode inbound(String phone, String from, String text, String messageId) {
        String body = "{\"phone\":\"" + phone + "\",\"from\":\"" + from + "\",\"text\":\"" + text
                + "\",\"messageId\":\"" + messageId + "\"}";
        return control("POST", "/control/inbound", body);
    }

    /**
     * The account's contact ledger ({@code GET /control/sent/{phone}}): one entry per message id
     * and recipient, with {@code count} 1 once the contact decrypted it and {@code resends} for
     * every later arrival of the same id (docs/emulator.md).
     */
    public tools.jackson.databind.JsonNode sent(String phone) {
        return control("GET", "/control/sent/" + phone, null).path("messages");
    }

    /** Whether the account {@code phone}'s linked device has a live login now ({@code GET /control/devices/{phone}}). */
    public boolean online(String phone) {
        return control("GET", "/control/devices/" + phone, null).path("online").asBoolean();
    }

    /** What the contacts sent to the account ({@code GET /control/received/{phone}}), with the device's acks and receipts. */
    public tools.jackson.databind.JsonNode received(String phone) {
        return control("GET", "/control/received/" + phone, null).path("messages");
    }

    private tools.jackson.databind.JsonNode control(String method, String path, String body) {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url.replaceFirst("^ws://", "http://").replaceFirst("/ws/chat$", "") + path))
                .timeout(java.time.Duration.ofSeconds(60)).header("content-type", "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        // HTTP/1.1 and a client per call (see burst): the emulator refuses h2c upgrades and closes idle connections
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        try {
            java.net.http.HttpResponse<String> r = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("emulator " + path + " answered " + r.statusCode() + " " + r.body());
            }
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Its resident set in bytes (Linux /proc), 0 when unknown. */
    long rss() {
        return ConnectionsScenario.rssOf(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
