package com.wagateway.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;

/**
 * The dashboard's double-submit CSRF cookie ({@code XSRF-TOKEN}, readable by the page), written
 * only for cookie requests.
 * <p>
 * Guarantees: a request authenticated by API key never receives an {@code XSRF-TOKEN} cookie.
 * Spring Security resolves the token on every request (the request attribute needs its parameter
 * name), which used to set the cookie on key requests too; key requests are not checked for CSRF
 * and must leave nothing behind (issue 12.1), so saving is skipped for them.
 */
public final class SessionOnlyCsrfTokenRepository implements CsrfTokenRepository {

    private final CookieCsrfTokenRepository cookies = CookieCsrfTokenRepository.withHttpOnlyFalse();

    @Override
    public CsrfToken generateToken(HttpServletRequest req) {
        return cookies.generateToken(req);
    }

    @Override
    public void saveToken(CsrfToken token, HttpServletRequest req, HttpServletResponse res) {
        if (!CookieSessionContextRepository.isKeyRequest(req)) {
            cookies.saveToken(token, req, res);
        }
    }

    @Override
    public CsrfToken loadToken(HttpServletRequest req) {
        return cookies.loadToken(req);
    }
}
