package com.wagateway.services;

import java.util.regex.Pattern;

/**
 * The only gate for connection ids. An id becomes a folder name under SESSIONS_DIR, so nothing
 * but {@code ^[A-Za-z0-9_-]{1,64}$} is accepted — no dots, slashes or empty strings can ever
 * reach the file system.
 */
public final class ConnectionIds {

    public static final String PATTERN = "^[A-Za-z0-9_-]{1,64}$";
    private static final Pattern VALID = Pattern.compile(PATTERN);

    private ConnectionIds() {
    }

    /** Returns {@code id} if valid, else throws a 400 naming the field. */
    public static String require(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new ApiException.InvalidInput("invalid_connection_id", "connection_id",
                    "connection_id must match " + PATTERN);
        }
        return id;
    }
}
