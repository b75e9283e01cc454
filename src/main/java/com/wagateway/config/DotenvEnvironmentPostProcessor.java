package com.wagateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Reads a {@code .env} file (working directory, or {@code DOTENV_FILE}) into the environment
 * with lower precedence than real environment variables, so {@code application.yml}'s
 * {@code ${PORT:8081}}-style placeholders see it. A missing file is fine; a malformed line is
 * skipped. Values are never logged (the file holds secrets).
 */
public class DotenvEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "dotenv";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication app) {
        String file = env.getProperty("DOTENV_FILE", ".env");
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            return;
        }
        try {
            Map<String, Object> values = parse(Files.readAllLines(path, StandardCharsets.UTF_8));
            MapPropertySource source = new MapPropertySource(SOURCE_NAME, values);
            if (env.getPropertySources().contains(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
                env.getPropertySources().addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, source);
            } else {
                env.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path.toAbsolutePath(), e);
        }
    }

    /** Parses {@code KEY=value} lines; supports comments, {@code export }, and quoted values. */
    static Map<String, Object> parse(List<String> lines) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) {
                    value = value.substring(0, hash).strip();
                }
            }
            values.put(key, value);
        }
        return values;
    }
}
