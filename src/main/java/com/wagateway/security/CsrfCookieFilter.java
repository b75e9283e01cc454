package com.wagateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Loads the (deferred) CSRF token on every cookie request so the {@code XSRF-TOKEN} cookie is
 * always present for the dashboard to copy into {@code X-XSRF-TOKEN}. Requests with an
 * {@code Authorization} header (API keys) need no CSRF token and get no cookie: making one on
 * every API call cost measurable time in the benchmark.
 */
public final class CsrfCookieFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        CsrfToken token = (CsrfToken) req.getAttribute(CsrfToken.class.getName());
        if (token != null && req.getHeader("Authorization") == null) {
            token.getToken();
        }
        chain.doFilter(req, res);
    }
}
