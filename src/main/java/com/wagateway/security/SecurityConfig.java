package com.wagateway.security;

import com.wagateway.services.ApiKeyService;
import com.wagateway.services.UserService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Who may call what. Every endpoint needs a logged-in session or an API key except login, the
 * CSRF bootstrap, health, API docs and the dashboard's static files. Cookie requests that change
 * state need the CSRF token (double-submit cookie, as a React app does it); API-key requests
 * don't. Errors are JSON. Security headers on every response.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss: http: https:; "
            + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    private static final String[] PUBLIC = {"/api/auth/login", "/api/auth/signup", "/api/auth/csrf",
            "/actuator/health", "/actuator/health/**", "/error", "/v3/api-docs", "/v3/api-docs/**", "/docs", "/docs/**",
            "/swagger-ui/**", "/swagger-ui.html", "/dashboard", "/dashboard/**", "/", "/favicon.ico"};

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** Sessions for dashboard logins only; API-key requests are stateless. */
    @Bean
    SecurityContextRepository securityContextRepository() {
        return new CookieSessionContextRepository();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, ApiKeyService keys, UserService users,
                            SecurityContextRepository contexts) throws Exception {
        JsonSecurityErrors errors = new JsonSecurityErrors();
        http
                // CSRF guards cookie sessions: a request with an API key, or with no session
                // cookie at all, cannot ride one (and a keyless API call then gets 401, not 403)
                .csrf(c -> c.spa()
                        .csrfTokenRepository(new SessionOnlyCsrfTokenRepository())
                        .ignoringRequestMatchers(req -> req.getHeader("Authorization") != null
                                || req.getRequestedSessionId() == null)
                        .ignoringRequestMatchers("/api/auth/login", "/api/auth/signup"))
                .securityContext(s -> s.securityContextRepository(contexts))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .authorizeHttpRequests(a -> a
                        .requestMatchers(PUBLIC).permitAll()
                        // signed media URLs for webhook receivers: the signature is the credential (MediaUrls)
                        .requestMatchers(org.springframework.http.HttpMethod.GET, "/api/media/*").permitAll()
                        .requestMatchers("/api/users", "/api/users/**", "/api/cluster", "/actuator/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(
                                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys), UsernamePasswordAuthenticationFilter.class)
                .addFilterAfter(new SessionCallerFilter(users), SecurityContextHolderFilter.class)
                .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class);
        return http.build();
    }
}
