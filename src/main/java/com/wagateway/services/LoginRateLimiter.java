package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Counts failed logins per account and per client address in a sliding window. While either is
 * over its limit, login is refused before the password is even checked (so guessing cannot
 * continue, and the refusal looks the same for existing and unknown emails).
 * <p>
 * The check and the count are one atomic step ({@link #tryAcquire}): every password check first
 * reserves a slot as if it were going to fail, under one lock, so 40 simultaneous guesses get 5
 * checks and 35 refusals, never 40 checks. A successful login gives its slot back.
 * In memory: a restart resets the counters (see docs/decisions.md).
 */
@Component
public class LoginRateLimiter {

    /** A reserved password check; hand it back to {@link #succeeded} when the password was right. */
    public record Attempt(String accountKey, String addressKey, Instant at) {
    }

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();

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

    /**
     * Reserves one password check for this account and address if both are under their limits
     * (counted as a failure until {@link #succeeded} says otherwise); otherwise reserves nothing and
     * says how many seconds to wait. Check and count happen under one lock, so concurrent callers
     * cannot all pass the check before any of them is counted.
     */
    public synchronized Result tryAcquire(String email, String address) {
        String account = "a:" + normalize(email);
        String ip = "ip:" + address;
        long wait = Math.max(wait(account, maxPerAccount), wait(ip, maxPerAddress));
        if (wait > 0) {
            return new Result(null, wait);
        }
        Instant now = clock.instant();
        failures.computeIfAbsent(account, k -> new ArrayDeque<>()).addLast(now);
        failures.computeIfAbsent(ip, k -> new ArrayDeque<>()).addLast(now);
        return new Result(new Attempt(account, ip, now), 0);
    }

    /** What {@link #tryAcquire} decided: an attempt to go on with, or the seconds to wait. */
    public record Result(Attempt attempt, long retryAfterSeconds) {
        public boolean allowed() {
            return attempt != null;
        }
    }

    /** The password was right: the account's failures are cleared and the address's slot is given back. */
    public synchronized void succeeded(Attempt attempt) {
        failures.remove(attempt.accountKey());
        Deque<Instant> q = failures.get(attempt.addressKey());
        if (q != null) {
            q.removeFirstOccurrence(attempt.at());
            if (q.isEmpty()) {
                failures.remove(attempt.addressKey());
            }
        }
    }

    private long wait(String key, int max) {
        Deque<Instant> q = failures.get(key);
        if (q == null) {
            return 0;
        }
        prune(q);
        if (q.isEmpty()) {
            failures.remove(key);
            return 0;
        }
        if (q.size() < max) {
            return 0;
        }
        Instant oldest = q.peekFirst();
        return Math.max(1, Duration.between(clock.instant(), oldest.plus(window)).toSeconds() + 1);
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
