package com.wagateway.security;

import com.wagateway.domain.Caller;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** Builds the Spring Security authentication whose principal is a {@link Caller}. */
public final class CallerAuthentication {

    private CallerAuthentication() {
    }

    public static Authentication of(Caller caller) {
        return UsernamePasswordAuthenticationToken.authenticated(caller, null,
                List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
    }

    /** The caller of the current request, or null when anonymous. */
    public static Caller current() {
        Authentication a = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.getPrincipal() instanceof Caller c ? c : null;
    }
}
