package com.wagateway.domain;

import java.util.UUID;

/**
 * Who is making a request: the authenticated user, however they authenticated (session cookie
 * or API key). Services receive it explicitly and decide ownership with it.
 */
public record Caller(UUID userId, String email, Role role) implements java.io.Serializable {

    public enum Role {
        ADMIN, USER;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Role fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** True when this caller may see and act on something owned by {@code owner}. */
    public boolean mayAccess(UUID owner) {
        return isAdmin() || userId.equals(owner);
    }
}
