package com.wagateway.realtime;

import com.wagateway.config.GatewayProperties;
import com.wagateway.domain.Caller;
import com.wagateway.shared.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Short-lived, single-use tokens that let a browser open the Socket.IO connection. The HTTP API
 * (cookie or API key) issues one; the Socket.IO handshake spends it. Only SHA-256 hashes are
 * kept, in memory: a token is worthless after its first use, after its TTL, or after a restart.
 */
@Component
public class RealtimeTokens {

    /** A token as handed out: the secret (shown once) and when it stops working. */
    public record Issued(String token, Instant expiresAt) {
    }

    private record Grant(Caller caller, Instant expiresAt) {
    }

    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    @Autowired
    public RealtimeTokens(GatewayProperties props) {
        this(props.realtime().tokenTtl(), Clock.systemUTC());
    }

    RealtimeTokens(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A new random token (256 bits) for {@code caller}, valid for the configured TTL, once. */
    public Issued issue(Caller caller) {
        String token = Secrets.randomToken(32);
        Instant expires = clock.instant().plus(ttl);
        grants.put(Secrets.sha256Hex(token), new Grant(caller, expires));
        return new Issued(token, expires);
    }

    /**
     * Spends a token: the caller it was issued to, if it exists and has not expired. Whatever the
     * answer, the token can never be used again (removed before the expiry check).
     */
    public Optional<Caller> consume(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        Grant g = grants.remove(Secrets.sha256Hex(token));
        if (g == null || !clock.instant().isBefore(g.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(g.caller());
    }

    /** Drops expired, never-used tokens so the map cannot grow without bound. */
    @Scheduled(fixedDelay = 60_000)
    public void purgeExpired() {
        Instant now = clock.instant();
        grants.values().removeIf(g -> !now.isBefore(g.expiresAt()));
    }

    int size() {
        return grants.size();
    }
}
