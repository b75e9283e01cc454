package com.wagateway.wire;

/**
 * The one error shape of the whole API: {@code {"error":{"status":400,"code":"...","message":"...",
 * "field":null,"path":"/api/..."}}}. {@code code} is stable and machine-readable; {@code message}
 * is for people.
 */
public record ErrorBody(@NeverNull Detail error) {

    @io.swagger.v3.oas.annotations.media.Schema(name = "ErrorDetail")
    public record Detail(int status, @NeverNull String code, @NeverNull String message, String field, @NeverNull String path) {
    }

    public static ErrorBody of(int status, String code, String message, String field, String path) {
        return new ErrorBody(new Detail(status, code, message, field, path));
    }
}
