package com.wagateway.controllers.dto;

/**
 * The one error shape of the whole API: {@code {"error":{"status":400,"code":"...","message":"...",
 * "field":null,"path":"/api/..."}}}. {@code code} is stable and machine-readable; {@code message}
 * is for people.
 */
public record ErrorBody(Detail error) {

    public record Detail(int status, String code, String message, String field, String path) {
    }

    public static ErrorBody of(int status, String code, String message, String field, String path) {
        return new ErrorBody(new Detail(status, code, message, field, path));
    }
}
