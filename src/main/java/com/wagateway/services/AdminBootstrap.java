package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.UserRepository;
import com.wagateway.shared.Secrets;
import jakarta.annotation.PostConstruct;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Creates the first admin at boot when no user exists: from {@code ADMIN_EMAIL}/{@code ADMIN_PASSWORD},
 * or with a generated password printed once in the log (the only way to learn it). Never creates a
 * second admin: the insert is conditional on an empty table, atomically.
 */
@Component
public class AdminBootstrap {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final UserRepository users;
    private final PasswordEncoder encoder;
    private final GatewayProperties props;

    public AdminBootstrap(UserRepository users, PasswordEncoder encoder, GatewayProperties props) {
        this.users = users;
        this.encoder = encoder;
        this.props = props;
    }

    @PostConstruct
    void ensureAdmin() {
        if (users.count() > 0) {
            return;
        }
        String email = UserService.validEmail(props.accounts().adminEmail());
        String configured = props.accounts().adminPassword();
        boolean generated = configured.isBlank();
        String password = generated ? Secrets.randomPassword() : configured;
        if (!generated) {
            UserService.validPassword(password);
        }
        if (!users.insertFirstAdmin(UUID.randomUUID(), email, encoder.encode(password))) {
            return;
        }
        if (generated) {
            log.warn("""

                    ==============================================================
                     First admin created: {}
                     Generated password (shown only this once): {}
                     Log in at /dashboard and change it, or set ADMIN_PASSWORD.
                    ==============================================================""", email, password);
        } else {
            log.info("first admin created from ADMIN_EMAIL: {}", email);
        }
    }
}
