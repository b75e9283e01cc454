package com.wagateway.controllers.dto;

import com.wagateway.wire.NeverNull;
import com.wagateway.database.ApiKeyRepository.ApiKeyRow;
import com.wagateway.database.UserRow;
import com.wagateway.domain.Caller;
import java.time.Instant;
import java.util.UUID;

/** Request and response bodies of the accounts endpoints. No body ever carries a hash. */
public final class AccountDtos {

    private AccountDtos() {
    }

    public record LoginRequest(String email, String password) {
    }

    public record CreateUserRequest(String email, String password, String role) {
    }

    public record PasswordRequest(String password) {
    }

    public record CreateKeyRequest(String name) {
    }

    /** The logged-in user ({@code GET /api/auth/me}, login answer). */
    public record Me(@NeverNull UUID userId, @NeverNull String email, @NeverNull String role) {
        public static Me from(Caller c) {
            return new Me(c.userId(), c.email(), c.role().wire());
        }
    }

    public record UserView(@NeverNull UUID id, @NeverNull String email, @NeverNull String role, boolean disabled, @NeverNull Instant createdAt, Instant lastLoginAt) {
        public static UserView from(UserRow u) {
            return new UserView(u.id(), u.email(), u.role().wire(), u.disabled(), u.createdAt(), u.lastLoginAt());
        }
    }

    /** A key as listed: never the secret. */
    public record KeyView(@NeverNull UUID id, @NeverNull String name, @NeverNull String prefix, @NeverNull Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        public static KeyView from(ApiKeyRow k) {
            return new KeyView(k.id(), k.name(), k.prefix(), k.createdAt(), k.lastUsedAt(), k.revokedAt());
        }
    }

    /** The answer to key creation: the only time {@code key} is ever shown. */
    public record CreatedKey(@NeverNull UUID id, @NeverNull String name, @NeverNull String prefix, @NeverNull Instant createdAt, @NeverNull String key) {
    }
}
