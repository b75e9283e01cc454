package com.wagateway.controllers;

import com.wagateway.wire.ErrorBody;
import com.wagateway.services.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Translates every failure inside Spring MVC to the one JSON error shape ({@link ErrorBody}).
 * Failures outside MVC (the servlet container) reach {@link JsonErrorController}. Server errors
 * are logged with their stack; client errors are not (they are the client's).
 */
@RestControllerAdvice
public class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ErrorBody> api(ApiException e, HttpServletRequest req) {
        ResponseEntity<ErrorBody> r = body(e.status(), e.code(), e.getMessage(), e.field(), req);
        if (e instanceof ApiException.TooManyRequests t) {
            return ResponseEntity.status(r.getStatusCode()).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .header("Retry-After", Long.toString(t.retryAfterSeconds())).body(r.getBody());
        }
        return r;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e, HttpServletRequest req) {
        ResponseEntity<ErrorBody> field = badBodyField(e, req);
        if (field != null) {
            return field;
        }
        return body(400, "malformed_json", "the request body is missing or is not valid JSON", null, req);
    }

    /**
     * A body that is valid JSON but has a field the API refuses while reading it (StrictJsonConfig):
     * a NUL character ({@code invalid_character}) or a value of the wrong JSON type
     * ({@code invalid_type}: no scalar coercion). {@code field} is the JSON path, e.g.
     * {@code message} or {@code items[2].name}. Null when the body is not JSON at all.
     */
    private static ResponseEntity<ErrorBody> badBodyField(HttpMessageNotReadableException e, HttpServletRequest req) {
        if (!(e.getCause() instanceof tools.jackson.databind.exc.MismatchedInputException m) || m.getPath().isEmpty()) {
            return null;
        }
        String field = jsonPath(m.getPath());
        if (m instanceof com.wagateway.web.StrictJsonConfig.NulCharacterException) {
            return body(400, "invalid_character", field + " must not contain the NUL character (U+0000)", field, req);
        }
        return body(400, "invalid_type", field + " has the wrong JSON type"
                + (m.getTargetType() == null ? "" : " (expected " + jsonTypeName(m.getTargetType()) + ")"), field, req);
    }

    /** {@code a.b[0].c} from Jackson's reference chain. */
    private static String jsonPath(java.util.List<tools.jackson.core.JacksonException.Reference> path) {
        StringBuilder s = new StringBuilder();
        for (tools.jackson.core.JacksonException.Reference r : path) {
            if (r.getPropertyName() != null) {
                s.append(s.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    /** The JSON name of what a Java target type accepts (never a Java class name). */
    private static String jsonTypeName(Class<?> t) {
        if (t == String.class || t.isEnum()) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "an array";
        }
        return "an object";
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<ErrorBody> badParam(Exception e, HttpServletRequest req) {
        return body(400, "invalid_parameter", e.getMessage(), null, req);
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<ErrorBody> notFound(Exception e, HttpServletRequest req) {
        return body(404, "not_found", "no such endpoint: " + req.getMethod() + " " + req.getRequestURI(), null, req);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e, HttpServletRequest req) {
        return body(405, "method_not_allowed", "method " + e.getMethod() + " is not allowed here", null, req);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorBody> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest req) {
        return body(415, "unsupported_media_type", "send the body as application/json", null, req);
    }

    /**
     * A query or form parameter that is not valid percent-encoding ({@code ?before=%ZZ}): Tomcat
     * refuses to decode it when the parameters are first read. The client's mistake: 400.
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ErrorBody> undecodableParameter(Exception e, HttpServletRequest req) {
        return body(400, "invalid_parameter", "a query parameter is not valid percent-encoding (UTF-8)", null, req);
    }

    /** A multipart body that reached the multipart parser (none is accepted; see application.yml). */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<ErrorBody> multipart(Exception e, HttpServletRequest req) {
        return body(415, "unsupported_media_type", "send the body as application/json", null, req);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ErrorBody> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest req) {
        return body(406, "not_acceptable", "this endpoint answers application/json", null, req);
    }

    /**
     * The database is unreachable (down, restarting, pool timeout): 503 {@code database_unavailable}
     * with {@code Retry-After}, so clients retry instead of treating it as a bug; nothing was
     * changed. Other data-access failures stay unexpected (500).
     */
    @ExceptionHandler({org.springframework.dao.DataAccessException.class,
            org.springframework.transaction.TransactionException.class, java.sql.SQLException.class})
    ResponseEntity<ErrorBody> databaseUnavailable(Exception e, HttpServletRequest req) {
        if (!com.wagateway.database.DatabaseUnavailable.isCause(e)) {
            return unexpected(e, req);
        }
        log.warn("database unavailable on {} {}: {}", req.getMethod(), req.getRequestURI(), e.getMessage());
        ResponseEntity<ErrorBody> r = body(503, "database_unavailable",
                "the database is not reachable right now; try again in a few seconds", null, req);
        return ResponseEntity.status(503).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .header("Retry-After", "5").body(r.getBody());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorBody> unexpected(Exception e, HttpServletRequest req) {
        log.error("unexpected error on {} {}", req.getMethod(), req.getRequestURI(), e);
        return body(500, "internal_error", "an unexpected error occurred", null, req);
    }

    static ResponseEntity<ErrorBody> body(int status, String code, String message, String field, HttpServletRequest req) {
        return ResponseEntity.status(status)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(ErrorBody.of(status, code, message, field, req.getRequestURI()));
    }
}
