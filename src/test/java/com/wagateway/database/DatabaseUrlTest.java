package com.wagateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void herokuStyleUrlMovesCredentialsOutOfTheJdbcUrl() {
        DatabaseUrl u = DatabaseUrl.parse("postgres://gw:s%40cret@db.local:6543/gateway?sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.local:6543/gateway?sslmode=require");
        assertThat(u.username()).isEqualTo("gw");
        assertThat(u.password()).isEqualTo("s@cret");
        assertThat(u.toString()).doesNotContain("s@cret");
    }

    @Test
    void defaultsPortAndDatabase() {
        assertThat(DatabaseUrl.parse("postgresql://h").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/postgres");
    }

    @Test
    void jdbcUrlIsTakenAsIs() {
        assertThat(DatabaseUrl.parse("jdbc:postgresql://h/db?user=a").jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?user=a");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db")).isInstanceOf(IllegalArgumentException.class);
    }
}
