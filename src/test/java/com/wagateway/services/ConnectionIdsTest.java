package com.wagateway.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"user123", "a", "A-b_c", "0123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsThePattern(String id) {
        assertThat(ConnectionIds.require(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../x", "a/b", "a\\b", ".", "..", "a b", "a.b", "ü",
            "01234567890123456789012345678901234567890123456789012345678901234"})
    void refusesEverythingElse(String id) {
        assertThatThrownBy(() -> ConnectionIds.require(id))
                .isInstanceOf(ApiException.InvalidInput.class)
                .hasMessageContaining("connection_id");
    }
}
