package com.wagateway.security;

import com.wagateway.config.GatewayProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Counts failed logins per account and per client address in a sliding window. While either is
 * over its limit, login is refused before the password is even checked (so guessing cannot
 * continue, and the refusal looks the same for existing and unknown emails).
 * In memory: a restart resets the counters (see docs/decisions.md).
 */
@Component
public class LoginRateLimiter {

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    public LoginRateLimiter(GatewayProperties props) {
        this(props.accounts().loginMaxPerAccount(), props.accounts().loginMaxPerAddress(),
                props.accounts().loginWindow(), Clock.systemUTC());
    }

    LoginRateLimiter(int maxPerAccount, int maxPerAddress, Duration window, Clock clock) {
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
        this.window = window;
        this.clock = clock;
    }

    /** Seconds until another attempt is allowed, or 0 if allowed now. */
    public long retryAfterSeconds(String email, String address) {
        return Math.max(wait("a:" + normalize(email), maxPerAccount), wait("ip:" + address, maxPerAddress));
    }

    public void recordFailure(String email, String address) {
        add("a:" + normalize(email));
        add("ip:" + address);
    }

    /** A successful login clears the account's failures (not the address's). */
    public void recordSuccess(String email) {
        failures.remove("a:" + normalize(email));
    }

    private long wait(String key, int max) {
        Deque<Instant> q = failures.get(key);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            prune(q);
            if (q.size() < max) {
                return 0;
            }
            Instant oldest = q.peekFirst();
            return Math.max(1, Duration.between(clock.instant(), oldest.plus(window)).toSeconds() + 1);
        }
    }

    private void add(String key) {
        Deque<Instant> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            prune(q);
            q.addLast(clock.instant());
        }
    }

    private void prune(Deque<Instant> q) {
        Instant cutoff = clock.instant().minus(window);
        while (!q.isEmpty() && q.peekFirst().isBefore(cutoff)) {
            q.pollFirst();
        }
    }

    private static String normalize(String email) {
        return email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
