package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.LoginFailureRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts failed logins per account and per client address in a sliding window. While either is
 * over its limit, login is refused before the password is even checked (so guessing cannot
 * continue, and the refusal looks the same for existing and unknown emails).
 * <p>
 * The check and the count are one atomic step ({@link #tryAcquire}): every password check first
 * reserves a slot as if it were going to fail, under a lock on both keys, so 40 simultaneous
 * guesses get 5 checks and 35 refusals, never 40 checks. A successful login gives its slot back.
 * The counts live in PostgreSQL ({@code login_failures}) and the lock is a transaction-scoped
 * advisory lock, so the limit holds across every gateway node (issue 17) and survives a restart.
 */
@Component
public class LoginRateLimiter {

    /** A reserved password check; hand it back to {@link #succeeded} when the password was right. */
    public record Attempt(String accountKey, String addressKey, Instant at) {
    }

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration window;
    private final LoginFailureRepository failures;
    private final TransactionTemplate tx;

    public LoginRateLimiter(GatewayProperties props, LoginFailureRepository failures, PlatformTransactionManager txManager) {
        this.maxPerAccount = props.accounts().loginMaxPerAccount();
        this.maxPerAddress = props.accounts().loginMaxPerAddress();
        this.window = props.accounts().loginWindow();
        this.failures = failures;
        this.tx = new TransactionTemplate(txManager);
    }

    /**
     * Reserves one password check for this account and address if both are under their limits
     * (counted as a failure until {@link #succeeded} says otherwise); otherwise reserves nothing and
     * says how many seconds to wait. Check and count happen in one transaction holding both keys'
     * locks, so concurrent callers (on any node) cannot all pass the check before any is counted.
     */
    public Result tryAcquire(String email, String address) {
        String account = "a:" + normalize(email);
        String ip = "ip:" + address;
        return tx.execute(s -> {
            failures.lock(List.of(account, ip));
            Instant now = failures.now();
            long wait = Math.max(wait(failures.window(account, window), maxPerAccount, now),
                    wait(failures.window(ip, window), maxPerAddress, now));
            if (wait > 0) {
                return new Result(null, wait);
            }
            Instant at = failures.add(List.of(account, ip));
            return new Result(new Attempt(account, ip, at), 0);
        });
    }

    /** What {@link #tryAcquire} decided: an attempt to go on with, or the seconds to wait. */
    public record Result(Attempt attempt, long retryAfterSeconds) {
        public boolean allowed() {
            return attempt != null;
        }
    }

    /** The password was right: the account's failures are cleared and the address's slot is given back. */
    public void succeeded(Attempt attempt) {
        tx.executeWithoutResult(s -> {
            failures.lock(List.of(attempt.accountKey(), attempt.addressKey()));
            failures.clear(attempt.accountKey());
            failures.removeOne(attempt.addressKey(), attempt.at());
        });
    }

    /** Seconds until the oldest failure leaves the window when the key is at its limit, else 0. */
    private long wait(LoginFailureRepository.Window w, int max, Instant now) {
        if (w.count() < max || w.oldest() == null) {
            return 0;
        }
        return Math.max(1, Duration.between(now, w.oldest().plus(window)).toSeconds() + 1);
    }

    private static String normalize(String email) {
        return email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
