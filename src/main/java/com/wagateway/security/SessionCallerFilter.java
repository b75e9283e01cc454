package com.wagateway.security;

import com.wagateway.domain.Caller;
import com.wagateway.services.UserService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Re-checks a session's user on every request: a disabled or deleted user loses the session at
 * once, and a role change takes effect at once (the session holds only who, not what they may do).
 * Requests authenticated by API key are left alone (the key lookup already checked the user).
 */
public final class SessionCallerFilter extends OncePerRequestFilter {

    private final UserService users;

    public SessionCallerFilter(UserService users) {
        this.users = users;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        HttpSession session = req.getSession(false);
        if (req.getHeader("Authorization") == null && session != null && a != null && a.getPrincipal() instanceof Caller c) {
            java.util.Optional<com.wagateway.database.UserRow> fresh;
            try {
                fresh = users.active(c.userId());
            } catch (RuntimeException e) {
                if (!com.wagateway.database.DatabaseUnavailable.isCause(e)) {
                    throw e;
                }
                // the user cannot be re-checked now: treat the request as unauthenticated (the
                // session stays); protected endpoints answer 503 database_unavailable
                SecurityContextHolder.clearContext();
                req.setAttribute(JsonSecurityErrors.DATABASE_UNAVAILABLE, Boolean.TRUE);
                chain.doFilter(req, res);
                return;
            }
            if (fresh.isEmpty()) {
                SecurityContextHolder.clearContext();
                session.invalidate();
            } else if (!fresh.get().caller().equals(c)) {
                SecurityContextHolder.getContext().setAuthentication(CallerAuthentication.of(fresh.get().caller()));
            }
        }
        chain.doFilter(req, res);
    }
}
