package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The retry policy of {@link AuthRequests} (docs/decisions.md "A database outage delays auth-state
 * reads and writes"): a store that cannot reach its database is asked again until it answers,
 * and the engine gets the data, not an error; any other failure is answered at once. The store
 * here stands in for PostgreSQL only to make it unreachable on cue; the real store is covered by
 * PostgresAuthStoreIntegrationTest.
 */
class AuthRequestsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Unreachable for the first {@code outageCalls} calls, then stores in memory. */
    static final class FlakyStore implements EngineAuthStore {
        final AtomicInteger calls = new AtomicInteger();
        final int outageCalls;
        final RuntimeException failure;
        final List<KeyWrite> saved = new ArrayList<>();

        FlakyStore(int outageCalls, RuntimeException failure) {
            this.outageCalls = outageCalls;
            this.failure = failure;
        }

        private void maybeFail() {
            if (calls.incrementAndGet() <= outageCalls) {
                throw failure;
            }
        }

        @Override
        public String loadCreds(String connectionId) {
            maybeFail();
            return "{\"me\":1}";
        }

        @Override
        public Map<String, String> loadKeys(String connectionId, String type, List<String> ids) {
            maybeFail();
            return Map.of();
        }

        @Override
        public void save(String connectionId, String creds, List<KeyWrite> keys) {
            maybeFail();
            saved.addAll(keys);
        }

        @Override
        public boolean clear(String connectionId) {
            maybeFail();
            return true;
        }
    }

    @Test
    void anUnreachableDatabaseIsWaitedForAndTheSaveIsAnswered() {
        FlakyStore store = new FlakyStore(3, new CannotGetJdbcConnectionException("database down"));
        JsonNode data = JSON.readTree("{\"keys\":[{\"type\":\"session\",\"id\":\"9230.0\",\"value\":\"x\"}]}");
        JsonNode answer = AuthRequests.answer(store, "auth.save", "c1", data, JSON);
        assertThat(answer.has("error")).as(answer.toString()).isFalse();
        assertThat(answer.path("saved").asInt()).isEqualTo(1);
        assertThat(store.calls.get()).isEqualTo(4);
        assertThat(store.saved).hasSize(1);
    }

    @Test
    void aLoadDuringAnOutageGetsTheDataOnceTheDatabaseAnswers() {
        FlakyStore store = new FlakyStore(2, new CannotGetJdbcConnectionException("database down"));
        JsonNode answer = AuthRequests.answer(store, "auth.load", "c1", JSON.readTree("{\"creds\":true}"), JSON);
        assertThat(answer.path("creds").asString()).isEqualTo("{\"me\":1}");
    }

    @Test
    void anyOtherFailureIsAnsweredAtOnceAsAnError() {
        FlakyStore store = new FlakyStore(1, new IllegalStateException("constraint"));
        JsonNode data = JSON.readTree("{\"keys\":[]}");
        JsonNode answer = AuthRequests.answer(store, "auth.save", "c1", data, JSON);
        assertThat(answer.path("error").path("code").asString()).isEqualTo("internal");
        assertThat(store.calls.get()).isEqualTo(1);
    }
}
