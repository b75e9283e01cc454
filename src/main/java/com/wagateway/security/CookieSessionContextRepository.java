package com.wagateway.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Where a request's security context is kept: in the HTTP session for dashboard logins, nowhere
 * for API-key requests.
 * <p>
 * Guarantees: a request carrying an {@code Authorization} header (an API key, authenticated per
 * request by {@link ApiKeyAuthenticationFilter}) never reads a session, never creates one and
 * never gets a cookie. Without this, Spring Security's session management saw an authenticated
 * caller missing from the session and saved it there (and rotated the CSRF cookie), so every key
 * request left a session cookie that kept working after the key was revoked (issue 12.1).
 */
public final class CookieSessionContextRepository implements SecurityContextRepository {

    private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    /** True for requests authenticated by key: they are stateless by design. */
    static boolean isKeyRequest(HttpServletRequest req) {
        return req.getHeader("Authorization") != null;
    }

    @Override
    public DeferredSecurityContext loadDeferredContext(HttpServletRequest req) {
        if (!isKeyRequest(req)) {
            return sessions.loadDeferredContext(req);
        }
        Supplier<SecurityContext> empty = () -> SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
        return new DeferredSecurityContext() {
            @Override
            public SecurityContext get() {
                return empty.get();
            }

            @Override
            public boolean isGenerated() {
                return true;
            }
        };
    }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public SecurityContext loadContext(HttpRequestResponseHolder holder) {
        return isKeyRequest(holder.getRequest())
                ? SecurityContextHolder.getContextHolderStrategy().createEmptyContext()
                : sessions.loadContext(holder);
    }

    @Override
    public void saveContext(SecurityContext context, HttpServletRequest req, HttpServletResponse res) {
        if (!isKeyRequest(req)) {
            sessions.saveContext(context, req, res);
        }
    }

    /**
     * A key request "contains" its context already (the key filter set it for this request), so
     * session management has nothing to persist for it.
     */
    @Override
    public boolean containsContext(HttpServletRequest req) {
        return isKeyRequest(req) || sessions.containsContext(req);
    }
}
