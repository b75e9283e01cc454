package com.wagateway.security;

import com.wagateway.domain.Caller;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.services.ApiKeyService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <api key>}: authenticates this one request (nothing goes into a
 * session). A present but wrong header is answered 401 at once — it never falls back to the
 * cookie, so a request carrying an Authorization header is never a cookie request (which is why
 * such requests need no CSRF token).
 */
public final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final ApiKeyService keys;

    public ApiKeyAuthenticationFilter(ApiKeyService keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        String header = req.getHeader("Authorization");
        if (header == null) {
            chain.doFilter(req, res);
            return;
        }
        Optional<Caller> caller;
        try {
            caller = header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? keys.authenticate(header.substring(7).strip()) : Optional.empty();
        } catch (RuntimeException e) {
            if (!DatabaseUnavailable.isCause(e)) {
                throw e;
            }
            // the key cannot be checked now: go on unauthenticated (health still answers); a
            // protected endpoint answers 503 database_unavailable (JsonSecurityErrors)
            req.setAttribute(JsonSecurityErrors.DATABASE_UNAVAILABLE, Boolean.TRUE);
            chain.doFilter(req, res);
            return;
        }
        if (caller.isEmpty()) {
            JsonSecurityErrors.write(req, res, 401, "invalid_api_key", "the API key is unknown, revoked, or malformed");
            return;
        }
        SecurityContext ctx = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
        ctx.setAuthentication(CallerAuthentication.of(caller.get()));
        SecurityContextHolder.getContextHolderStrategy().setContext(ctx);
        try {
            chain.doFilter(req, res);
        } finally {
            SecurityContextHolder.getContextHolderStrategy().clearContext();
        }
    }
}
