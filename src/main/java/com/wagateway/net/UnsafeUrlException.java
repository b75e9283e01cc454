package com.wagateway.net;

/**
 * A URL the gateway refuses to call: malformed, not http(s), unresolvable, or pointing into a
 * private network. {@code code} is a stable machine-readable reason for the API's error shape.
 */
public class UnsafeUrlException extends RuntimeException {

    private final String code;

    public UnsafeUrlException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** {@code invalid_url}, {@code unresolvable_host} or {@code private_network}. */
    public String code() {
        return code;
    }
}
