package com.wagateway.controllers;

import com.wagateway.config.GatewayProperties;
import com.wagateway.controllers.dto.AccountDtos;
import com.wagateway.domain.Caller;
import com.wagateway.security.CallerAuthentication;
import com.wagateway.services.ApiException;
import com.wagateway.services.UserService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import com.wagateway.controllers.dto.Answers;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Dashboard login with a session cookie (HttpOnly, SameSite=Lax). API clients use keys instead. */
@RestController
@RequestMapping("/api/auth")
public class AuthController {

    private final UserService users;
    private final SecurityContextRepository contexts;
    private final GatewayProperties props;

    public AuthController(UserService users, SecurityContextRepository contexts, GatewayProperties props) {
        this.users = users;
        this.contexts = contexts;
        this.props = props;
    }

    /**
     * Checks the credentials and starts a new session (a fresh session id, so a session fixed
     * before login is worthless). Rate-limited per account and per address. A request carrying an
     * API key is refused: key requests are stateless and never turn into a session.
     */
    @PostMapping("/login")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "401", description = "invalid_credentials (or a disabled account)")
    @ApiResponse(responseCode = "429", description = "too_many_attempts; see Retry-After")
    AccountDtos.Me login(@RequestBody AccountDtos.LoginRequest body, HttpServletRequest req, HttpServletResponse res) {
        if (req.getHeader("Authorization") != null) {
            throw new ApiException.InvalidInput("api_key_not_allowed", "Authorization",
                    "log in without an Authorization header; API keys need no session");
        }
        Caller caller = users.login(body.email(), body.password(), req.getRemoteAddr());
        HttpSession old = req.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        req.getSession(true);
        SecurityContext ctx = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
        ctx.setAuthentication(CallerAuthentication.of(caller));
        SecurityContextHolder.getContextHolderStrategy().setContext(ctx);
        contexts.saveContext(ctx, req, res);
        return AccountDtos.Me.from(caller);
    }

    /** Open sign-up, only when {@code SIGNUP_ENABLED=true}; creates a plain user and logs it in. */
    @PostMapping("/signup")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "signup_disabled")
    @ApiResponse(responseCode = "409", description = "email_taken")
    @ApiResponse(responseCode = "429", description = "too_many_attempts; see Retry-After")
    AccountDtos.Me signup(@RequestBody AccountDtos.LoginRequest body, HttpServletRequest req, HttpServletResponse res) {
        if (!props.accounts().signupEnabled()) {
            throw new ApiException.NotFound("signup_disabled", "sign-up is disabled on this gateway");
        }
        users.create(body.email(), body.password(), Caller.Role.USER);
        return login(body, req, res);
    }

    @PostMapping("/logout")
    Answers.LoggedOut logout(HttpServletRequest req) {
        HttpSession s = req.getSession(false);
        if (s != null) {
            s.invalidate();
        }
        SecurityContextHolder.clearContext();
        return new Answers.LoggedOut(true);
    }

    @GetMapping("/me")
    AccountDtos.Me me(@AuthenticationPrincipal Caller caller) {
        return AccountDtos.Me.from(caller);
    }

    /** Makes sure the {@code XSRF-TOKEN} cookie is set and says where its value goes. */
    @GetMapping("/csrf")
    Answers.CsrfInfo csrf() {
        return new Answers.CsrfInfo("XSRF-TOKEN", "X-XSRF-TOKEN");
    }
}
