package com.wagateway.security;

import com.wagateway.shared.Json;
import com.wagateway.wire.ErrorBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;
import tools.jackson.databind.json.JsonMapper;

/** 401 and 403 from the security layer, in the API's one JSON error shape. */
public final class JsonSecurityErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final JsonMapper JSON = Json.MAPPER;

    /**
     * Request attribute set by the authentication filters when they could not check the caller
     * because the database is unreachable: the request went on unauthenticated (public endpoints
     * such as health still answer), and a protected endpoint answers 503 instead of 401.
     */
    public static final String DATABASE_UNAVAILABLE = JsonSecurityErrors.class.getName() + ".databaseUnavailable";

    @Override
    public void commence(HttpServletRequest req, HttpServletResponse res, AuthenticationException e) throws IOException {
        if (req.getAttribute(DATABASE_UNAVAILABLE) != null) {
            res.setHeader("Retry-After", "5");
            write(req, res, 503, "database_unavailable", "the database is not reachable right now; try again in a few seconds");
            return;
        }
        write(req, res, 401, "unauthenticated", "log in or send Authorization: Bearer <api key>");
    }

    @Override
    public void handle(HttpServletRequest req, HttpServletResponse res, AccessDeniedException e) throws IOException {
        if (e instanceof CsrfException) {
            write(req, res, 403, "csrf_invalid", "missing or wrong CSRF token: send the XSRF-TOKEN cookie's value in X-XSRF-TOKEN");
        } else {
            write(req, res, 403, "forbidden", "you are not allowed to do this");
        }
    }

    /** Writes one error body; used by the filters too. */
    public static void write(HttpServletRequest req, HttpServletResponse res, int status, String code, String message)
            throws IOException {
        res.setStatus(status);
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.getWriter().write(JSON.writeValueAsString(ErrorBody.of(status, code, message, null, req.getRequestURI())));
    }
}
