package com.wagateway.whatsapp;

/**
 * A command the engine could not carry out, as a closed set of kinds: callers switch on the type
 * ({@code instanceof EngineException.NotReady}), never on a string.
 *
 * <p>The protocol's error codes (docs/engine-protocol.md, "Framing") are mapped to these types in
 * one place, {@link #fromReply}; {@link Unavailable} is Java's own: no engine process is running,
 * it could not be written to, or it did not answer in time; {@link OwnerUnreachable} too: the node
 * that runs the connection did not answer a routed command. {@link #code()} still gives the wire
 * code, because it is part of stored failure reasons ({@code engine_not_found},
 * {@code send_failed 428: ...}) that users already see.
 */
public abstract sealed class EngineException extends RuntimeException {

    private final String code;

    private EngineException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The protocol's error code ({@code not_ready}, {@code send_failed}, ...) or {@code unavailable}. */
    public String code() {
        return code;
    }

    /** True when the failure is "no engine to talk to" rather than a refusal of the command. */
    public boolean isUnavailable() {
        return this instanceof Unavailable || this instanceof OwnerUnreachable;
    }

    /** No engine process, a broken pipe, or no answer within the command timeout. Nothing is known to have happened. */
    public static final class Unavailable extends EngineException {
        public Unavailable(String message) {
            super("unavailable", message);
        }
    }

    /**
     * {@code owner_unreachable}: another node runs this connection and did not take the command in
     * time, or took it and never answered (issue 17 routing). Counts as unavailable: when it was
     * not taken, nothing happened; otherwise the outcome is unknown and the message says so.
     */
    public static final class OwnerUnreachable extends EngineException {
        public OwnerUnreachable(String message) {
            super("owner_unreachable", message);
        }
    }

    /** {@code not_ready}: the connection has no open socket; nothing was attempted. */
    public static final class NotReady extends EngineException {
        NotReady(String message) {
            super("not_ready", message);
        }
    }

    /** {@code bad_request}: the engine refused the arguments. */
    public static final class BadRequest extends EngineException {
        BadRequest(String message) {
            super("bad_request", message);
        }
    }

    /** {@code not_found}: the socket, message or contact named is unknown to the engine. */
    public static final class NotFound extends EngineException {
        NotFound(String message) {
            super("not_found", message);
        }
    }

    /** {@code invalid_state}: the command does not fit the socket's state (e.g. scan without a QR). */
    public static final class InvalidState extends EngineException {
        InvalidState(String message) {
            super("invalid_state", message);
        }
    }

    /** {@code send_failed}: Baileys threw while sending; {@link #statusCode()} is its Boom status code or null. */
    public static final class SendFailed extends EngineException {
        private final Integer statusCode;

        SendFailed(String message, Integer statusCode) {
            super("send_failed", message);
            this.statusCode = statusCode;
        }

        /** Baileys' Boom status code (e.g. 428, 408, 500), or null when Baileys gave none. */
        public Integer statusCode() {
            return statusCode;
        }
    }

    /** Any other failure: {@code internal}, {@code unknown_command}, a code newer than this Java, or a Java-side error. */
    public static final class Internal extends EngineException {
        Internal(String code, String message) {
            super(code, message);
        }
    }

    /**
     * The one mapping of a reply's {@code error} object to a type. Unknown codes keep their
     * wire code in an {@link Internal}, so nothing the engine says is lost.
     */
    public static EngineException fromReply(String code, String message, Integer statusCode) {
        return switch (code) {
            case "not_ready" -> new NotReady(message);
            case "bad_request" -> new BadRequest(message);
            case "not_found" -> new NotFound(message);
            case "invalid_state" -> new InvalidState(message);
            case "send_failed" -> new SendFailed(message, statusCode);
            case "unavailable" -> new Unavailable(message);
            case "owner_unreachable" -> new OwnerUnreachable(message);
            default -> new Internal(code, message);
        };
    }

    /**
     * What a failed engine future failed with: its {@code EngineException}, or (a bug on the Java
     * side, e.g. a result that could not be read) an {@link Internal} describing it.
     */
    public static EngineException of(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof EngineException ee ? ee : new Internal("internal", String.valueOf(t));
    }
}
