package com.wagateway.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the engine boundary typed: Jackson trees ({@code JsonNode}, {@code ObjectNode},
 * {@code ArrayNode}, of Jackson 2 or 3) are handled only in {@code com.wagateway.whatsapp} (which
 * translates the engine protocol to records) and in {@code shared/Json.java} (the mapper and its
 * free-form {@code Json.Value}). Anywhere else a tree would mean engine JSON is being read or
 * built outside the boundary again. The scan reads the production sources themselves, imports and
 * fully qualified names alike, so it cannot be dodged by skipping the import.
 */
class EngineBoundaryTest {

    private static final Path MAIN = Path.of("src", "main", "java", "com", "wagateway");
    private static final Pattern TREE_TYPES = Pattern.compile("\\b(JsonNode|ObjectNode|ArrayNode)\\b");

    @Test
    void onlyTheWhatsappPackageAndSharedJsonHandleJacksonTrees() throws IOException {
        List<String> offenders = new ArrayList<>();
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                scanned.add(file);
                if (allowed(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (TREE_TYPES.matcher(lines.get(i)).find()) {
                        offenders.add(MAIN.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        // the scan really looked at the code on both sides of the boundary
        assertThat(scanned).anyMatch(f -> f.endsWith(Path.of("messaging", "InboundMessages.java")))
                .anyMatch(f -> f.endsWith(Path.of("whatsapp", "EngineEvent.java")));
        assertThat(offenders).as("Jackson trees outside com.wagateway.whatsapp and shared/Json.java").isEmpty();
    }

    @Test
    void theScanRecognisesATreeTypeInAnImportAndInAFullyQualifiedName() {
        assertThat(TREE_TYPES.matcher("import tools.jackson.databind.JsonNode;").find()).isTrue();
        assertThat(TREE_TYPES.matcher("var n = (tools.jackson.databind.node.ObjectNode) x;").find()).isTrue();
        assertThat(TREE_TYPES.matcher("import com.fasterxml.jackson.databind.node.ArrayNode;").find()).isTrue();
        assertThat(TREE_TYPES.matcher("String jsonNodeCount = MyJsonNodes.count();").find()).isFalse();
    }

    private static boolean allowed(Path file) {
        Path rel = MAIN.relativize(file);
        return rel.startsWith("whatsapp") || rel.equals(Path.of("shared", "Json.java"));
    }
}
