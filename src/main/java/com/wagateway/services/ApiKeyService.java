package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ApiKeyRepository;
import com.wagateway.database.ApiKeyRepository.ApiKeyRow;
import com.wagateway.database.UserRepository;
import com.wagateway.domain.Caller;
import com.wagateway.shared.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * API keys: {@code wag_} + 32 random bytes. Only the SHA-256 of a key is stored; the key itself
 * is returned once, at creation. A revoked key fails on the very next request (no cache).
 * {@code ADMIN_API_KEY}, when set, authenticates as the first admin; it is compared in
 * constant time and stored nowhere.
 */
@Service
public class ApiKeyService {

    public static final String PREFIX = "wag_";
    private static final Duration TOUCH_EVERY = Duration.ofSeconds(60);

    /** A new key: the row and the secret, which exists only in this object. */
    public record Created(ApiKeyRow row, String key) {
    }

    private final ApiKeyRepository keys;
    private final UserRepository users;
    private final String adminApiKey;
    private final Map<UUID, Instant> lastTouched = new ConcurrentHashMap<>();

    public ApiKeyService(ApiKeyRepository keys, UserRepository users, GatewayProperties props) {
        this.keys = keys;
        this.users = users;
        this.adminApiKey = props.accounts().adminApiKey();
    }

    public Created create(Caller owner, String name) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new ApiException.InvalidInput("invalid_name", "name", "name is required, at most 100 characters");
        }
        String key = PREFIX + Secrets.randomToken(32);
        UUID id = UUID.randomUUID();
        keys.insert(id, owner.userId(), name.strip(), key.substring(0, PREFIX.length() + 8), Secrets.sha256Hex(key));
        return new Created(keys.find(id).orElseThrow(), key);
    }

    public List<ApiKeyRow> list(Caller owner) {
        return keys.findByUser(owner.userId());
    }

    /** Revokes the caller's key (an admin may revoke anyone's); another user's key answers 404. */
    public ApiKeyRow revoke(Caller caller, UUID id) {
        ApiKeyRow row = keys.find(id).filter(k -> caller.mayAccess(k.userId()))
                .orElseThrow(() -> new ApiException.NotFound("api_key_not_found", "no such API key"));
        keys.revoke(id);
        return keys.find(id).orElse(row);
    }

    /**
     * The caller a presented key belongs to, or empty. Records last use at most once a minute per
     * key, so authentication is one indexed read on the hot path.
     */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 200) {
            return Optional.empty();
        }
        if (!adminApiKey.isBlank() && Secrets.constantTimeEquals(presented, adminApiKey)) {
            return users.firstAdmin().map(u -> u.caller());
        }
        if (!presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return keys.findActive(Secrets.sha256Hex(presented)).map(active -> {
            touch(active.keyId());
            return active.user().caller();
        });
    }

    private void touch(UUID keyId) {
        Instant now = Instant.now();
        Instant last = lastTouched.get(keyId);
        if (last == null || last.plus(TOUCH_EVERY).isBefore(now)) {
            lastTouched.put(keyId, now);
            keys.touch(keyId);
        }
    }
}
