package com.wagateway.database;

import com.wagateway.domain.Caller;
import java.time.Instant;
import java.util.UUID;

/** One row of {@code users}. The password hash never leaves the service layer. */
public record UserRow(UUID id, String email, String passwordHash, Caller.Role role, boolean disabled,
                      Instant createdAt, Instant lastLoginAt) {

    public Caller caller() {
        return new Caller(id, email, role);
    }
}
