package com.wagateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DotenvEnvironmentPostProcessorTest {

    @Test
    void parsesCommentsExportsQuotesAndInlineComments() {
        Map<String, Object> v = DotenvEnvironmentPostProcessor.parse(List.of(
                "# a comment",
                "",
                "PORT=9000",
                "export DATA_DIR=/var/lib/gw",
                "ADMIN_PASSWORD=\"with # hash and spaces\"",
                "WA_ENGINE=sandbox # inline comment",
                "EMPTY=",
                "not a pair"));
        assertThat(v).containsEntry("PORT", "9000")
                .containsEntry("DATA_DIR", "/var/lib/gw")
                .containsEntry("ADMIN_PASSWORD", "with # hash and spaces")
                .containsEntry("WA_ENGINE", "sandbox")
                .containsEntry("EMPTY", "")
                .hasSize(5);
    }
}
