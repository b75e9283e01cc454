package com.wagateway.whatsapp;

/**
 * A command the engine could not carry out. {@code code} is the protocol's error code
 * ({@code not_found}, {@code invalid_state}, ...) or {@code unavailable} when no engine process
 * is running or it did not answer in time.
 */
public class EngineException extends RuntimeException {

    private final String code;
    private final Integer statusCode;

    public EngineException(String code, String message) {
        this(code, message, null);
    }

    public EngineException(String code, String message, Integer statusCode) {
        super(message);
        this.code = code;
        this.statusCode = statusCode;
    }

    /** Baileys' Boom status code of a {@code send_failed} (e.g. 428, 408, 500), or null. */
    public Integer statusCode() {
        return statusCode;
    }

    public String code() {
        return code;
    }

    /** True when the failure is "no engine to talk to" rather than a refusal of the command. */
    public boolean isUnavailable() {
        return "unavailable".equals(code);
    }
}
