package com.wagateway.controllers;

import com.wagateway.controllers.dto.AccountDtos;
import com.wagateway.domain.Caller;
import com.wagateway.shared.Secrets;
import com.wagateway.services.ApiException;
import com.wagateway.services.UserService;
import java.util.List;
import com.wagateway.controllers.dto.Answers;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Users management, admins only (enforced in SecurityConfig): create, list, disable/enable, reset password. */
@RestController
@RequestMapping("/api/users")
public class UserController {

    private final UserService users;

    public UserController(UserService users) {
        this.users = users;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @ApiResponse(responseCode = "409", description = "email_taken")
    AccountDtos.UserView create(@RequestBody AccountDtos.CreateUserRequest body) {
        Caller.Role role;
        try {
            role = body.role() == null ? Caller.Role.USER : Caller.Role.fromWire(body.role());
        } catch (IllegalArgumentException e) {
            throw new ApiException.InvalidInput("invalid_role", "role", "role is admin or user");
        }
        return AccountDtos.UserView.from(users.create(body.email(), body.password(), role));
    }

    @GetMapping
    List<AccountDtos.UserView> list() {
        return users.list().stream().map(AccountDtos.UserView::from).toList();
    }

    @PostMapping("/{id}/disable")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "cannot_disable_self")
    AccountDtos.UserView disable(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return AccountDtos.UserView.from(users.setDisabled(ApiKeyController.uuid(id), true, caller));
    }

    @PostMapping("/{id}/enable")
    AccountDtos.UserView enable(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return AccountDtos.UserView.from(users.setDisabled(ApiKeyController.uuid(id), false, caller));
    }

    /**
     * Sets a new password; without one in the body a strong one is generated and returned once.
     */
    @PostMapping("/{id}/reset-password")
    Answers.PasswordReset resetPassword(@PathVariable("id") String id, @RequestBody(required = false) AccountDtos.PasswordRequest body) {
        boolean generate = body == null || body.password() == null;
        String password = generate ? Secrets.randomPassword() : body.password();
        users.resetPassword(ApiKeyController.uuid(id), password);
        return new Answers.PasswordReset(id, true, generate ? password : null);
    }
}
