package com.wagateway.services;

/**
 * A failure that has a place in the API's one error shape. Each subclass is one kind of failure
 * and carries its data; {@code controllers.ApiErrorHandler} turns them into JSON in one place.
 */
public abstract class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    protected ApiException(int status, String code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    /** 400: a request field is missing or malformed. Nothing was changed. */
    public static class InvalidInput extends ApiException {
        public InvalidInput(String code, String field, String message) {
            super(400, code, message, field);
        }
    }

    /** 404: no such connection (or, later, not yours — the same answer so existence does not leak). */
    public static class ConnectionNotFound extends ApiException {
        public ConnectionNotFound(String id) {
            super(404, "connection_not_found", "no connection '" + id + "'", null);
        }
    }

    /** 409: the request conflicts with the connection's state. */
    public static class Conflict extends ApiException {
        public Conflict(String code, String message) {
            super(409, code, message, null);
        }
    }

    /** 503: the engine process is not running (it is being restarted). Retry later. */
    public static class EngineUnavailable extends ApiException {
        public EngineUnavailable(String message) {
            super(503, "engine_unavailable", message, null);
        }
    }

    /**
     * 503 {@code owner_unreachable}: another node runs the connection and did not answer the
     * command forwarded to it in time (issue 17). Retry later; when it was never taken, nothing happened.
     */
    public static class OwnerUnreachable extends ApiException {
        public OwnerUnreachable(String message) {
            super(503, "owner_unreachable", message, null);
        }
    }

    /** The 503 for an engine failure that means "nobody to talk to": the node's own engine, or the owner node. */
    public static ApiException unavailable(com.wagateway.whatsapp.EngineException e) {
        return e instanceof com.wagateway.whatsapp.EngineException.OwnerUnreachable
                ? new OwnerUnreachable(e.getMessage()) : new EngineUnavailable(e.getMessage());
    }

    /** 401: not authenticated, or the credentials are wrong. */
    public static class Unauthorized extends ApiException {
        public Unauthorized(String code, String message) {
            super(401, code, message, null);
        }
    }

    /** 404 for things other than connections (users, keys). */
    public static class NotFound extends ApiException {
        public NotFound(String code, String message) {
            super(404, code, message, null);
        }
    }

    /** 429: slow down; {@code retryAfterSeconds} goes into the Retry-After header. */
    public static class TooManyRequests extends ApiException {
        private final long retryAfterSeconds;

        public TooManyRequests(String code, String message, long retryAfterSeconds) {
            super(429, code, message, null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** 410: the thing asked about existed but is no longer valid (e.g. an expired pairing code). */
    public static class Gone extends ApiException {
        public Gone(String code, String message) {
            super(410, code, message, null);
        }
    }

    /** 422: well-formed, but refused for what it says (e.g. a pairing code the phone rejected). */
    public static class Unprocessable extends ApiException {
        public Unprocessable(String code, String field, String message) {
            super(422, code, message, field);
        }
    }

    /** 502: WhatsApp refused or failed a query made for this request. Nothing was changed here. */
    public static class WhatsappFailed extends ApiException {
        public WhatsappFailed(String code, String message) {
            super(502, code, message, null);
        }
    }

    /** 403: the caller may use the connection, but WhatsApp does not allow this action to its account (e.g. not a group admin). */
    public static class Forbidden extends ApiException {
        public Forbidden(String code, String message) {
            super(403, code, message, null);
        }
    }
}
