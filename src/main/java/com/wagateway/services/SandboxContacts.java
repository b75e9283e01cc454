package com.wagateway.services;

import com.wagateway.domain.Caller;
import com.wagateway.whatsapp.ChatCommands;
import com.wagateway.whatsapp.EngineException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * Sandbox only: what simulated contacts do besides messaging (issue 16 parts 4 and 5) — show a
 * presence, call the connection — and what they got from it (the states it showed them, its
 * reject of their calls, its read receipts). Owner-scoped like every connection route.
 */
@Service
public class SandboxContacts {

    /** What a simulated contact can show. */
    public static final List<String> STATES = List.of("available", "unavailable", "composing", "recording", "paused");

    private final ConnectionService connections;
    private final ChatCommands engine;

    public SandboxContacts(ConnectionService connections, ChatCommands engine) {
        this.connections = connections;
        this.engine = engine;
    }

    /** The contact {@code from} shows {@code state} to the connection (it reaches realtime as presence.update). */
    public void presence(String id, String from, String state, Caller caller) {
        connections.get(id, caller);
        String phone = PhoneNumbers.require(from, "from");
        if (state == null || !STATES.contains(state)) {
            throw new ApiException.InvalidInput("invalid_state", "state", "state must be one of " + String.join(", ", STATES));
        }
        call(() -> engine.sandboxPresence(id, phone, state).join());
    }

    /** The contact {@code from} calls the connection; answers the call id. */
    public String call(String id, String from, Boolean video, Caller caller) {
        connections.get(id, caller);
        String phone = PhoneNumbers.require(from, "from");
        return call(() -> engine.sandboxCall(id, phone, Boolean.TRUE.equals(video)).join());
    }

    /** What the contact {@code phone} got from the connection. */
    public ChatCommands.ContactView view(String id, String phone, Caller caller) {
        connections.get(id, caller);
        String digits = PhoneNumbers.require(phone, "phone");
        return call(() -> engine.sandboxContactView(id, digits).join());
    }

    /** Runs a sandbox command; the simulated side's refusals become 409 {@code sandbox_*} (bad input 400). */
    private static <T> T call(Supplier<T> s) {
        try {
            return s.get();
        } catch (CompletionException e) {
            EngineException ee = EngineException.of(e.getCause());
            if (ee.isUnavailable()) {
                throw ApiException.unavailable(ee);
            }
            if (ee instanceof EngineException.BadRequest) {
                throw new ApiException.InvalidInput("sandbox_bad_request", null, ee.getMessage());
            }
            throw new ApiException.Conflict("sandbox_" + ee.code(), ee.getMessage());
        }
    }
}
