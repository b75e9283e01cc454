package com.wagateway.controllers;

import com.wagateway.wire.ErrorBody;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code /error}): errors raised outside Spring MVC (filters, the
 * servlet container) get the same JSON shape as everything else, never an HTML page.
 */
@RestController
@io.swagger.v3.oas.annotations.Hidden
public class JsonErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ErrorBody> error(HttpServletRequest req) {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        // a filter (API key or session lookup) that could not reach the database: same 503 as in MVC
        if (req.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t
                && com.wagateway.database.DatabaseUnavailable.isCause(t)) {
            return ResponseEntity.status(503).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .header("Retry-After", "5")
                    .body(ErrorBody.of(503, "database_unavailable",
                            "the database is not reachable right now; try again in a few seconds", null,
                            uri == null ? req.getRequestURI() : uri.toString()));
        }
        HttpStatus hs = HttpStatus.resolve(status);
        String name = hs == null ? "error" : hs.name().toLowerCase(java.util.Locale.ROOT);
        String message = status >= 500 ? "an unexpected error occurred" : (hs == null ? "error" : hs.getReasonPhrase());
        return ResponseEntity.status(status)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(ErrorBody.of(status, status >= 500 ? "internal_error" : name, message, null,
                        uri == null ? req.getRequestURI() : uri.toString()));
    }
}
