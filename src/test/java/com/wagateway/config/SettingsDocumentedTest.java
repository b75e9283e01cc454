package com.wagateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every environment variable the gateway reads ({@code ${NAME:default}} in application.yml) is
 * documented twice: in the README's configuration table (a row whose first cell names it, alone or
 * beside related settings, as in {@code | `A` / `B` |}) and in {@code .env.example} (a {@code NAME=}
 * line, commented out or not). A setting added without its documentation fails
 * here, so the two files cannot fall behind the code.
 */
class SettingsDocumentedTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    @Test
    void everySettingIsInTheReadmeTableAndTheEnvExample() throws IOException {
        String yaml = Files.readString(Path.of("src", "main", "resources", "application.yml"));
        TreeSet<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(yaml);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).as("settings read from application.yml").hasSizeGreaterThan(40).contains("DATABASE_URL", "ROUTE_TIMEOUT");

        List<String> readme = Files.readAllLines(Path.of("README.md"));
        List<String> example = Files.readAllLines(Path.of(".env.example"));
        List<String> notInReadme = names.stream()
                .filter(n -> readme.stream().noneMatch(l -> firstCell(l).contains("`" + n + "`"))).toList();
        List<String> notInExample = names.stream()
                .filter(n -> example.stream().noneMatch(l -> l.matches("#?\\s*" + n + "=.*"))).toList();
        assertThat(notInReadme).as("settings without a row in the README's configuration table").isEmpty();
        assertThat(notInExample).as("settings without a line in .env.example").isEmpty();
    }

    /** The first cell of a Markdown table row ({@code | a | b |} gives {@code a}); empty for any other line. */
    private static String firstCell(String line) {
        if (!line.startsWith("|")) {
            return "";
        }
        int end = line.indexOf('|', 1);
        return end < 0 ? "" : line.substring(1, end);
    }
}
