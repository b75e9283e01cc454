package com.wagateway.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every gateway setting in one typed place. Values come from the environment or a
 * {@code .env} file through {@code application.yml} (see {@code .env.example}); defaults
 * live here and in that file only.
 *
 * @param dataDir      root of everything the gateway writes (embedded database, sessions)
 * @param sessionsDir  parent of the per-connection Baileys session folders
 * @param databaseUrl  external PostgreSQL; blank means the embedded, persistent one
 * @param databaseConnectTimeout how long a request waits for a pooled database connection before it
 *                     fails (503 database_unavailable while the database is down)
 * @param databaseRestartDelay embedded database only: how long after its server died the
 *                     supervisor starts it again (then backoff)
 * @param engine       how the engine process is started and what socket factory it uses
 * @param lifecycle    reconnect, QR-wait and restore timings
 * @param accounts     first admin, sign-up, login rate limits
 * @param messaging    send queue, pacing, retries, history sync
 * @param webhooks     webhook delivery and the private-network guard
 * @param realtime     the Socket.IO server of the live dashboard
 * @param media        received and sent media: size limit, retention, signed URLs
 * @param auth         where Baileys' auth state lives (session folders or PostgreSQL) and its key
 * @param cluster      this node's id and share when several gateway nodes run on one PostgreSQL
 */
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @DefaultValue("./data") Path dataDir,
        Path sessionsDir,
        @DefaultValue("") String databaseUrl,
        @DefaultValue("2s") Duration databaseConnectTimeout,
        @DefaultValue("1s") Duration databaseRestartDelay,
        @DefaultValue Engine engine,
        @DefaultValue Lifecycle lifecycle,
        @DefaultValue Accounts accounts,
        @DefaultValue Messaging messaging,
        @DefaultValue Webhooks webhooks,
        @DefaultValue Realtime realtime,
        @DefaultValue Media media,
        @DefaultValue Auth auth,
        @DefaultValue Cluster cluster) {

    /** The sessions folder, defaulting to {@code DATA_DIR/sessions}. Always absolute. */
    public Path sessionsPath() {
        Path p = sessionsDir != null ? sessionsDir : dataDir.resolve("sessions");
        return p.toAbsolutePath().normalize();
    }

    /** The media folder, {@code DATA_DIR/media}. Always absolute. */
    public Path mediaPath() {
        return dataPath().resolve("media");
    }

    /** Where the engine writes downloaded media before the store adopts them: {@code DATA_DIR/media/incoming}. */
    public Path incomingMediaPath() {
        return mediaPath().resolve("incoming");
    }

    /**
     * The incoming folder of engine process {@code index} of {@code processes}: the incoming folder
     * itself for a single process (as before the pool), else its subfolder {@code engine-<index>},
     * so the leftovers of one crashed process can be removed without touching another's downloads.
     */
    public Path incomingMediaPath(int index, int processes) {
        return processes <= 1 ? incomingMediaPath() : incomingMediaPath().resolve("engine-" + index);
    }

    /** Absolute data folder. */
    public Path dataPath() {
        return dataDir.toAbsolutePath().normalize();
    }

    /**
     * @param mode             {@code baileys} (real WhatsApp) or {@code sandbox} (simulated phone)
     * @param dir              folder holding the engine's package.json and src/
     * @param node             node executable
     * @param logLevel         engine log level (pino)
     * @param waWebSocketUrl   override of WhatsApp's WebSocket URL (tests point it at a local listener)
     * @param connectTimeout   Baileys connect timeout
     * @param commandTimeout   how long Java waits for a reply to one command
     * @param restartMaxBackoff cap of the supervisor's restart backoff
     * @param processes        engine processes on this node ({@code ENGINE_PROCESSES}); 0 = the
     *                         number of available cores, 1 in sandbox mode (see {@link #processCount()})
     * @param sandbox          sandbox QR timings and which emulated WhatsApp to use
     */
    public record Engine(
            @DefaultValue("baileys") String mode,
            @DefaultValue("./whatsapp") Path dir,
            @DefaultValue("node") String node,
            @DefaultValue("info") String logLevel,
            String waWebSocketUrl,
            @DefaultValue("20s") Duration connectTimeout,
            @DefaultValue("30s") Duration commandTimeout,
            @DefaultValue("30s") Duration restartMaxBackoff,
            @DefaultValue("0") int processes,
            @DefaultValue Sandbox sandbox) {

        /** Upper bound of {@code ENGINE_PROCESSES}: far beyond any core count this gateway runs on. */
        public static final int MAX_PROCESSES = 64;

        public boolean isSandbox() {
            return "sandbox".equalsIgnoreCase(mode);
        }

        /**
         * How many engine processes this node runs: {@code ENGINE_PROCESSES}, or when it is 0 (the
         * default) the number of cores the JVM sees, at least 1 — except in sandbox mode, where 0
         * means 1: a single engine runs its own emulator, whose group, presence, call and media
         * controls a shared standalone emulator does not offer (docs/decisions.md, "Engine pool").
         * A negative value or one above {@link #MAX_PROCESSES} stops the start with a message
         * naming the setting.
         */
        public int processCount() {
            if (processes < 0 || processes > MAX_PROCESSES) {
                throw new IllegalStateException("ENGINE_PROCESSES must be between 1 and " + MAX_PROCESSES
                        + " (0 = the number of cores), not " + processes);
            }
            if (processes > 0) {
                return processes;
            }
            return isSandbox() ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * Sandbox behaviour.
     *
     * @param qrFirst      first QR ref lifetime
     * @param qrNext       later refs' lifetime (Baileys' single qrTimeout: every ref lives
     *                     this long unless both are the defaults)
     * @param qrRefs       refs per QR session before it closes with 408
     * @param emulatorUrl  a standalone emulated WhatsApp's loopback WebSocket URL (the sandbox
     *                     always runs the real Baileys socket against an emulator); empty = the
     *                     engine runs its own, persisted under {@code DATA_DIR/emulator}
     */
    public record Sandbox(
            @DefaultValue("60s") Duration qrFirst,
            @DefaultValue("20s") Duration qrNext,
            @DefaultValue("6") int qrRefs,
            String emulatorUrl) {
    }

    /**
     * @param reconnectBase   first backoff delay after a transient close
     * @param reconnectMax    backoff cap
     * @param qrWait          how long get-qr waits for the first QR
     * @param restorePerSecond how many connections are restarted per second at boot
     */
    public record Lifecycle(
            @DefaultValue("1s") Duration reconnectBase,
            @DefaultValue("60s") Duration reconnectMax,
            @DefaultValue("8s") Duration qrWait,
            @DefaultValue("100") int restorePerSecond) {
    }

    /**
     * @param adminEmail        email of the first admin (created at boot when no user exists)
     * @param adminPassword     its password; blank = generated and printed once in the log
     * @param adminApiKey       optional admin API key for scripts (compared in constant time, stored nowhere)
     * @param signupEnabled     open sign-up ({@code POST /api/auth/signup})
     * @param loginMaxPerAccount failed logins per account within {@code loginWindow} before 429
     * @param loginMaxPerAddress failed logins per client address within {@code loginWindow} before 429
     * @param loginWindow       the rate-limit window
     */
    public record Accounts(
            @DefaultValue("admin@localhost") String adminEmail,
            @DefaultValue("") String adminPassword,
            @DefaultValue("") String adminApiKey,
            @DefaultValue("false") boolean signupEnabled,
            @DefaultValue("5") int loginMaxPerAccount,
            @DefaultValue("20") int loginMaxPerAddress,
            @DefaultValue("15m") Duration loginWindow) {
    }

    /**
     * @param sendQueueTtl          a queued message not sent within this time becomes {@code failed}
     * @param sendRatePerMinute     per-connection send pace (0 = unlimited); bursts queue instead of risking a ban
     * @param sendBurst             sends allowed back to back before pacing starts
     * @param sendMaxAttempts       send attempts (first + retries) before a message is {@code failed}
     * @param sendRetryBase         first retry delay after a failed send (doubles, with jitter)
     * @param sendRetryMax          longest wait between send retries
     * @param sendWait              how long {@code POST /api/send-message} waits for WhatsApp before answering 202
     * @param historyMessagesPerChat messages kept per chat from a history sync
     * @param historyFetchTimeout   how long an on-demand history request may stay unanswered
     * @param ignoreStatusBroadcast drop WhatsApp Status ({@code status@broadcast}) messages
     * @param sandboxReceiptDelay   sandbox: delivered after this, read after twice this (0 = no automatic receipts)
     * @param sandboxHistoryChats   sandbox: chats in the history sync after a pairing
     * @param imageFetchTimeout     timeout of fetching an {@code image_url}
     */
    public record Messaging(
            @DefaultValue("24h") Duration sendQueueTtl,
            @DefaultValue("60") int sendRatePerMinute,
            @DefaultValue("10") int sendBurst,
            @DefaultValue("5") int sendMaxAttempts,
            @DefaultValue("2s") Duration sendRetryBase,
            @DefaultValue("5m") Duration sendRetryMax,
            @DefaultValue("10s") Duration sendWait,
            @DefaultValue("50") int historyMessagesPerChat,
            @DefaultValue("30s") Duration historyFetchTimeout,
            @DefaultValue("true") boolean ignoreStatusBroadcast,
            @DefaultValue("300ms") Duration sandboxReceiptDelay,
            @DefaultValue("3") int sandboxHistoryChats,
            @DefaultValue("15s") Duration imageFetchTimeout) {
    }

    /**
     * @param allowPrivateNetworks allow URLs (webhooks, image_url) that resolve to loopback, private,
     *                             link-local or metadata addresses
     * @param timeout              one delivery attempt's timeout (connect and answer)
     * @param maxRetryAge          how long a failing event is retried before it is {@code failed}
     * @param workers              threads of the delivery HTTP client (requests are asynchronous,
     *                             so a few threads serve many requests in flight)
     * @param maxInFlight          connections being delivered to at the same time (by this instance)
     * @param perConnectionInFlight requests in flight per connection; 1 keeps each connection's
     *                             events strictly in order
     * @param batchSize            events claimed per connection at once (sent one after another)
     * @param pollInterval         how often the queue is checked without a wake-up signal
     * @param claimInterval        how long a connection claimed with less than a whole batch rests
     *                             before its next claim ({@code WEBHOOK_CLAIM_INTERVAL}), so events
     *                             that keep coming go out several per claim; a quiet connection or a
     *                             backlog never waits; 0 claims at every wake-up
     * @param retryBase            first retry delay (doubles per consecutive failure, with jitter)
     * @param retryMax             retry delay cap
     * @param circuitBreakerThreshold consecutive failures after which a connection's endpoint is
     *                             probed with one event at a time until it succeeds again
     */
    public record Webhooks(
            @DefaultValue("false") boolean allowPrivateNetworks,
            @DefaultValue("10s") Duration timeout,
            @DefaultValue("24h") Duration maxRetryAge,
            @DefaultValue("4") int workers,
            @DefaultValue("256") int maxInFlight,
            @DefaultValue("1") int perConnectionInFlight,
            @DefaultValue("20") int batchSize,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("50ms") Duration claimInterval,
            @DefaultValue("1s") Duration retryBase,
            @DefaultValue("10m") Duration retryMax,
            @DefaultValue("5") int circuitBreakerThreshold) {

        /** How long a claim on a connection's queue holds before another instance may take it over. */
        public Duration lease() {
            return timeout.multipliedBy(2).plusSeconds(5);
        }
    }

    /**
     * @param enabled   start the Socket.IO server (off: the dashboard falls back to polling)
     * @param host      interface it binds to
     * @param port      its TCP port ({@code SOCKETIO_PORT}); separate from the HTTP port
     * @param publicUrl the URL browsers reach it at, when a proxy puts it elsewhere; blank means
     *                  "the dashboard's host name with {@code port}"
     * @param tokenTtl  lifetime of a handshake token from {@code POST /api/realtime/token}
     * @param origin    allowed CORS origin of the handshake; blank = any (the token is the credential)
     * @param recheck   how often connected sockets' users are re-read: disabled users are dropped,
     *                  a changed role takes effect
     */
    public record Realtime(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("0.0.0.0") String host,
            @DefaultValue("8082") int port,
            @DefaultValue("") String publicUrl,
            @DefaultValue("60s") Duration tokenTtl,
            @DefaultValue("") String origin,
            @DefaultValue("30s") Duration recheck) {
    }

    /**
     * @param maxBytes          largest media file received or sent ({@code MEDIA_MAX_BYTES}); a larger
     *                          one is recorded as {@code too_large} (received) or refused (sent)
     * @param retention         how long stored media are kept ({@code MEDIA_RETENTION}); 0 keeps them
     * @param urlTtl            lifetime of a signed media URL in a webhook ({@code MEDIA_URL_TTL})
     * @param urlSecret         key that signs media URLs ({@code MEDIA_URL_SECRET}); blank: one is
     *                          generated once and kept in the data folder
     * @param publicBaseUrl     base of the signed URLs ({@code PUBLIC_BASE_URL}, e.g.
     *                          {@code https://wa.example.com}); blank: {@code http://localhost:<port>}
     * @param webhookInlineMaxBytes media up to this size are also inlined (base64) in webhooks
     *                          ({@code WEBHOOK_MEDIA_INLINE_MAX_BYTES}); 0 = never
     */
    public record Media(
            @DefaultValue("67108864") long maxBytes,
            @DefaultValue("0s") Duration retention,
            @DefaultValue("24h") Duration urlTtl,
            @DefaultValue("") String urlSecret,
            @DefaultValue("") String publicBaseUrl,
            @DefaultValue("0") long webhookInlineMaxBytes) {
    }

    /**
     * @param store         {@code files} (useMultiFileAuthState under SESSIONS_DIR, the default) or
     *                      {@code postgres} (creds and keys in the database, encrypted)
     * @param encryptionKey {@code AUTH_ENCRYPTION_KEY}: 32 bytes as base64 or hex; required with
     *                      {@code postgres}. Never logged.
     */
    public record Auth(
            @DefaultValue("files") String store,
            @DefaultValue("") String encryptionKey) {

        public boolean isPostgres() {
            return "postgres".equalsIgnoreCase(store.trim());
        }

        /** Hides the key from every toString (logs, error pages, actuator). */
        @Override
        public String toString() {
            return "Auth[store=" + store + ", encryptionKey=" + (encryptionKey.isBlank() ? "" : "<set>") + "]";
        }
    }

    /**
     * Several gateway nodes on one PostgreSQL (issue 17): each wanted connection is owned by one
     * node through a lease with a fencing epoch.
     *
     * @param nodeId            this node's id ({@code NODE_ID}); blank: host name + a random suffix,
     *                          fixed for the life of the process
     * @param maxConnections    connections this node owns at most ({@code NODE_MAX_CONNECTIONS})
     * @param leaseTtl          how long a lease holds without renewal ({@code LEASE_TTL}); renewed every
     *                          third of it; a node that could not renew for two thirds of it stops
     *                          those sockets itself
     * @param rebalancePerMinute connections moved per minute from the most to the least loaded node
     *                          when they differ by more than one ({@code REBALANCE_MOVES_PER_MINUTE}; 0 = never)
     * @param routeTimeout      how long the owner node has to take an engine command another node
     *                          accepted for it ({@code ROUTE_TIMEOUT}); then the caller gets 503
     *                          {@code owner_unreachable} and the command is never run
     */
    public record Cluster(
            @DefaultValue("") String nodeId,
            @DefaultValue("1000000") int maxConnections,
            @DefaultValue("15s") Duration leaseTtl,
            @DefaultValue("6") int rebalancePerMinute,
            @DefaultValue("10s") Duration routeTimeout) {
    }
}
