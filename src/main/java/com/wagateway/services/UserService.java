package com.wagateway.services;

import com.wagateway.database.UserRepository;
import com.wagateway.database.UserRow;
import com.wagateway.domain.Caller;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * Users: login (rate-limited, same answer for unknown email and wrong password), creation,
 * disabling, password reset. Passwords are stored only as encoder hashes and never logged.
 */
@Service
public class UserService {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]{1,255}$");
    /** A fixed hash checked when the email is unknown, so both failures take the same time. */
    private final String dummyHash;

    private final UserRepository users;
    private final PasswordEncoder encoder;
    private final LoginRateLimiter limiter;

    public UserService(UserRepository users, PasswordEncoder encoder, LoginRateLimiter limiter) {
        this.users = users;
        this.encoder = encoder;
        this.limiter = limiter;
        this.dummyHash = encoder.encode("not-a-real-password-" + UUID.randomUUID());
    }

    /**
     * Checks email and password. Unknown email, wrong password and disabled account all answer
     * the same 401; too many failures answer 429 with the wait, before checking anything.
     */
    public Caller login(String email, String password, String address) {
        if (email == null || password == null || email.isBlank() || password.isEmpty()) {
            throw new ApiException.InvalidInput("missing_credentials", email == null || email.isBlank() ? "email" : "password",
                    "email and password are required");
        }
        LoginRateLimiter.Result slot = limiter.tryAcquire(email, address);
        if (!slot.allowed()) {
            throw new ApiException.TooManyRequests("too_many_attempts", "too many failed logins; try again later",
                    slot.retryAfterSeconds());
        }
        Optional<UserRow> user = users.findByEmail(email.strip());
        boolean ok = encoder.matches(password, user.map(UserRow::passwordHash).orElse(dummyHash))
                && user.isPresent() && !user.get().disabled();
        if (!ok) {
            throw new ApiException.Unauthorized("invalid_credentials", "email or password is wrong");
        }
        limiter.succeeded(slot.attempt());
        users.touchLogin(user.get().id());
        return user.get().caller();
    }

    /** Creates a user; 409 if the email is taken. */
    public UserRow create(String email, String password, Caller.Role role) {
        String e = validEmail(email);
        validPassword(password);
        UUID id = UUID.randomUUID();
        if (!users.insert(id, e, encoder.encode(password), role)) {
            throw new ApiException.Conflict("email_taken", "a user with this email exists");
        }
        return users.find(id).orElseThrow();
    }

    public List<UserRow> list() {
        return users.findAll();
    }

    /** The user if it exists and is enabled (sessions are re-checked on every request). */
    public Optional<UserRow> active(UUID id) {
        return users.find(id).filter(u -> !u.disabled());
    }

    public UserRow setDisabled(UUID id, boolean disabled, Caller by) {
        if (by.userId().equals(id) && disabled) {
            throw new ApiException.Conflict("cannot_disable_self", "an admin cannot disable their own account");
        }
        if (!users.setDisabled(id, disabled)) {
            throw new ApiException.NotFound("user_not_found", "no such user");
        }
        return users.find(id).orElseThrow();
    }

    public void resetPassword(UUID id, String password) {
        validPassword(password);
        if (!users.setPasswordHash(id, encoder.encode(password))) {
            throw new ApiException.NotFound("user_not_found", "no such user");
        }
    }

    static String validEmail(String email) {
        if (email == null || !EMAIL.matcher(email.strip()).matches()) {
            throw new ApiException.InvalidInput("invalid_email", "email", "a valid email address is required");
        }
        return email.strip();
    }

    static void validPassword(String password) {
        if (password == null || password.length() < 10 || password.length() > 200) {
            throw new ApiException.InvalidInput("weak_password", "password", "password must be 10 to 200 characters");
        }
    }
}
