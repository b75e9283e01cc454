package com.wagateway.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.wagateway.database.ConnectionRepository;
import com.wagateway.services.ConnectionService;
import com.wagateway.support.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Layers that point one way (issue 14, item 4; docs/decisions.md "Layers that point one way").
 *
 * <p>The production classes are ordered top to bottom; a class may use classes of its own layer
 * and of any layer below it, never one above. Every package must belong to a layer (a new package
 * fails the build until it is placed), and no two top-level packages may depend on each other in
 * a cycle, not even within one layer. Order, top to bottom:
 * <ol>
 * <li>Application: {@code com.wagateway} itself (the Spring Boot entry point)</li>
 * <li>Web: {@code web} (Tomcat, error valve, dashboard, OpenAPI), {@code controllers} (with
 *     {@code controllers.dto}, the HTTP-only request and answer records), {@code security}
 *     (filters and Spring Security wiring)</li>
 * <li>Realtime: {@code realtime} (Socket.IO server and relays)</li>
 * <li>Messaging: {@code messaging} (send queue, inbound storage, history)</li>
 * <li>Media: {@code media} (image loading for sends)</li>
 * <li>Webhooks: {@code webhooks} (settings, outbox, delivery)</li>
 * <li>Services: {@code services} (connections, users, API keys, state machine)</li>
 * <li>Engine: {@code whatsapp} (the typed engine boundary)</li>
 * <li>Wire: {@code wire} (records shared by HTTP and realtime, the error shape)</li>
 * <li>Database: {@code database} (repositories and rows)</li>
 * <li>Net: {@code net} (pinned HTTP, public address guard)</li>
 * <li>Foundation: {@code domain} (connection status, caller), {@code config} (typed settings),
 *     {@code shared} (JSON, backoff, threads, secrets)</li>
 * </ol>
 * Layers with no dependency between them today (Media and Webhooks, Engine and Wire) are still
 * ordered, so the rule is a plain line and the strictest that the code allows.
 */
class LayerRulesTest {

    /** Top to bottom: layer name → its packages (ArchUnit package identifiers). */
    static final Map<String, String[]> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("Application", new String[] {"com.wagateway"});
        LAYERS.put("Web", new String[] {"com.wagateway.web..", "com.wagateway.controllers..", "com.wagateway.security.."});
        LAYERS.put("Realtime", new String[] {"com.wagateway.realtime.."});
        LAYERS.put("Messaging", new String[] {"com.wagateway.messaging.."});
        LAYERS.put("Media", new String[] {"com.wagateway.media.."});
        LAYERS.put("Webhooks", new String[] {"com.wagateway.webhooks.."});
        LAYERS.put("Services", new String[] {"com.wagateway.services.."});
        LAYERS.put("Engine", new String[] {"com.wagateway.whatsapp.."});
        LAYERS.put("Wire", new String[] {"com.wagateway.wire.."});
        LAYERS.put("Database", new String[] {"com.wagateway.database.."});
        LAYERS.put("Net", new String[] {"com.wagateway.net.."});
        LAYERS.put("Foundation", new String[] {"com.wagateway.domain..", "com.wagateway.config..", "com.wagateway.shared.."});
    }

    static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("com.wagateway");

    /** Each layer may be used only by the layers above it; every class must be in a layer. */
    static ArchRule layersPointDown() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Map.Entry<String, String[]> layer : LAYERS.entrySet()) {
            rule = rule.layer(layer.getKey()).definedBy(layer.getValue());
        }
        List<String> above = new ArrayList<>();
        for (String name : LAYERS.keySet()) {
            rule = above.isEmpty()
                    ? rule.whereLayer(name).mayNotBeAccessedByAnyLayer()
                    : rule.whereLayer(name).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            above.add(name);
        }
        return rule.ensureAllClassesAreContainedInArchitecture();
    }

    /** No cycle between top-level packages ({@code controllers} with {@code controllers.dto} is one). */
    static ArchRule noPackageCycles() {
        return slices().matching("com.wagateway.(*)..").should().beFreeOfCycles();
    }

    @Test
    void everyImportPointsDownTheLayers() {
        layersPointDown().check(PRODUCTION);
    }

    @Test
    void thereIsNoCycleBetweenPackages() {
        noPackageCycles().check(PRODUCTION);
    }

    @Test
    void theScanSawEveryLayer() {
        // a rule checked against no classes passes; prove each layer's packages were really read
        for (Map.Entry<String, String[]> layer : LAYERS.entrySet()) {
            for (String pkg : layer.getValue()) {
                String name = pkg.replace("..", "");
                assertThat(PRODUCTION.stream().anyMatch(c -> c.getPackageName().equals(name)))
                        .as("production classes in %s (layer %s)", name, layer.getKey()).isTrue();
            }
        }
        assertThat(PRODUCTION.stream().noneMatch(c -> c.getSimpleName().endsWith("Test"))).isTrue();
    }

    @Test
    void theRulesFailOnAnImportThatRunsBackUp() {
        // database.UpwardImportSample (test sources) uses services.ConnectionService, which uses the database
        JavaClasses sample = new ClassFileImporter().importClasses(
                sampleClass(), ConnectionService.class, ConnectionRepository.class);

        EvaluationResult layers = layersPointDown().evaluate(sample);
        assertThat(layers.hasViolation()).isTrue();
        assertThat(layers.getFailureReport().getDetails())
                .anyMatch(d -> d.contains("UpwardImportSample") && d.contains("ConnectionService"));

        EvaluationResult cycles = noPackageCycles().evaluate(sample);
        assertThat(cycles.hasViolation()).isTrue();
        assertThat(String.join("\n", cycles.getFailureReport().getDetails()))
                .contains("database").contains("services");
    }

    @Test
    void theRulesFailOnAClassOutsideEveryLayer() {
        // com.wagateway.support (test helpers) stands for a new package nobody placed in a layer
        JavaClasses stray = new ClassFileImporter().importClasses(ApiClient.class, ConnectionService.class);
        EvaluationResult result = layersPointDown().evaluate(stray);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anyMatch(d -> d.contains("ApiClient"));
    }

    private static Class<?> sampleClass() {
        try {
            return Class.forName("com.wagateway.database.UpwardImportSample");
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the deliberately wrong sample class is missing", e);
        }
    }
}
