package com.wagateway.controllers;

import com.wagateway.controllers.dto.AccountDtos;
import com.wagateway.domain.Caller;
import com.wagateway.services.ApiException;
import com.wagateway.services.ApiKeyService;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own API keys: create (key shown once), list (no secrets), revoke. */
@RestController
@RequestMapping("/api/api-keys")
public class ApiKeyController {

    private final ApiKeyService keys;

    public ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    AccountDtos.CreatedKey create(@AuthenticationPrincipal Caller caller, @RequestBody AccountDtos.CreateKeyRequest body) {
        ApiKeyService.Created c = keys.create(caller, body.name());
        return new AccountDtos.CreatedKey(c.row().id(), c.row().name(), c.row().prefix(), c.row().createdAt(), c.key());
    }

    @GetMapping
    List<AccountDtos.KeyView> list(@AuthenticationPrincipal Caller caller) {
        return keys.list(caller).stream().map(AccountDtos.KeyView::from).toList();
    }

    /** Revokes at once: the next request with that key gets 401. */
    @DeleteMapping("/{id}")
    AccountDtos.KeyView revoke(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return AccountDtos.KeyView.from(keys.revoke(caller, uuid(id)));
    }

    static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new ApiException.InvalidInput("invalid_id", "id", "id must be a UUID");
        }
    }
}
