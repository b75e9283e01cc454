package com.wagateway.web;

import com.wagateway.wire.ErrorBody;
import com.wagateway.realtime.RealtimeEvents;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes {@code /v3/api-docs} a document clients can generate code from: every body is declared
 * {@code application/json} (never {@code *}{@code /*}), and every operation lists the error
 * answers it can give, each with the one error schema ({@link ErrorBody}). Which errors apply
 * follows from how the API is built, so no controller has to repeat them:
 * <ul>
 * <li>401 on everything except the public auth endpoints (no key, bad key, expired session);</li>
 * <li>400 when the operation takes parameters or a body (invalid ids, bad JSON, wrong types);</li>
 * <li>404 when it has path parameters (unknown connection, user, key or event);</li>
 * <li>403 on state-changing requests (the dashboard's CSRF check; not login or sign-up) and on admin-only routes;</li>
 * <li>415 when it takes a body (anything but {@code application/json} is refused);</li>
 * <li>406 everywhere (an Accept header without JSON: this API answers nothing else);</li>
 * <li>500 and 503 ({@code database_unavailable}, with Retry-After) everywhere.</li>
 * </ul>
 * The realtime (Socket.IO) events are listed too, under {@code x-realtime-events}.
 * Operation-specific answers (send-message's 202 and 409, login's 429, ...) are declared with
 * {@code @ApiResponse} on the controller method; this class only adds the error schema to them.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {

    /** The document's extension listing the realtime events and their payload schemas. */
    public static final String REALTIME_EVENTS = "x-realtime-events";
    /** The component name of the error shape in the document. */
    public static final String ERROR_SCHEMA = "ErrorBody";
    static final String JSON = "application/json";

    /** Paths callers reach without credentials: they never answer 401 for a missing login. */
    private static final Set<String> PUBLIC_PATHS = Set.of("/api/auth/login", "/api/auth/signup", "/api/auth/csrf");

    /** Standard texts for the error answers added here (operation annotations may word their own). */
    private static final Map<String, String> ERROR_TEXT = Map.of(
            "400", "invalid input (error.code says which rule, error.field which field)",
            "401", "missing or invalid API key or session",
            "403", "not allowed: admin-only route, or a dashboard request without its CSRF header",
            "404", "no such resource",
            "409", "conflicts with the current state",
            "406", "the Accept header excludes application/json",
            "415", "the body is not application/json",
            "429", "too many requests; see Retry-After",
            "500", "unexpected error",
            "503", "the database, the engine, or the node running the connection (owner_unreachable) is not reachable right now; retry later (see Retry-After when given)");

    static {
        // a free-form JSON value (e.g. a stored webhook payload): any JSON, not the wrapper's fields
        org.springdoc.core.utils.SpringDocUtils.getConfig()
                .replaceWithSchema(com.wagateway.shared.Json.Value.class, new Schema<>().description("any JSON value"));
        // a message's details: an object whose fields depend on the message type (README "Message details")
        org.springdoc.core.utils.SpringDocUtils.getConfig()
                .replaceWithSchema(com.wagateway.messaging.MessageDetails.class, new Schema<>().type("object")
                        .additionalProperties(true)
                        .description("structured extras of the message by type (README \"Message details\"): a reaction's "
                                + "target, a poll's options, an undecryptable reason, a group notification's participants, "
                                + "view_once, forwarded, ...; null when there are none"));
    }

    /** Snake_case names, required and nullable fields as the API writes them (see WireModelResolver). */
    @Bean
    WireModelResolver wireModelResolver() {
        return new WireModelResolver();
    }

    @Bean
    OpenApiCustomizer jsonResponsesAndErrors() {
        return OpenApiConfig::complete;
    }

    /** Applies the rules of this class to the whole document springdoc built (idempotent). */
    public static void complete(OpenAPI api) {
        if (api.getInfo() == null) {
            api.setInfo(new Info());
        }
        api.getInfo().title("WhatsApp Web gateway API").version("1")
                .description("Errors always answer {\"error\":{status,code,message,field,path}} (schema ErrorBody).");
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.setComponents(components);
        // the converters springdoc uses for this spec version (they include WireModelResolver)
        ModelConverters converters = ModelConverters.getInstance(api.getSpecVersion() == io.swagger.v3.oas.models.SpecVersion.V31);
        converters.readAll(ErrorBody.class).forEach(components::addSchemas);
        Map<String, String> events = realtimeEvents(converters, components);
        api.addExtension(REALTIME_EVENTS, events);
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, op) -> completeOperation(path, method, op)));
        requestOnlySchemasRequireNothing(api, events.values());
        // stable order of schemas, so the committed snapshot only changes when the API does
        if (components.getSchemas() != null) {
            components.setSchemas(new TreeMap<>(components.getSchemas()));
        }
    }

    private static void completeOperation(String path, PathItem.HttpMethod method, Operation op) {
        if (path.startsWith("/api/send-") && method == PathItem.HttpMethod.POST && (op.getParameters() == null
                || op.getParameters().stream().noneMatch(p -> "Prefer".equals(p.getName())))) {
            // RFC 7240, honoured by every send (AsyncPreference): the answer comes once the message is stored
            op.addParametersItem(new io.swagger.v3.oas.models.parameters.HeaderParameter().name("Prefer").required(false)
                    .description("respond-async: answer 202 queued as soon as the message is stored (with Preference-Applied), "
                            + "instead of after WhatsApp's server ack; the outcome follows by webhook and realtime")
                    .schema(new io.swagger.v3.oas.models.media.StringSchema()._enum(java.util.List.of("respond-async"))));
        }
        boolean hasBody = op.getRequestBody() != null;
        boolean hasParams = op.getParameters() != null && !op.getParameters().isEmpty();
        boolean hasPathParams = hasParams && op.getParameters().stream().anyMatch(p -> "path".equals(p.getIn()));
        boolean changesState = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        if (hasBody) {
            op.getRequestBody().setContent(jsonOnly(op.getRequestBody().getContent()));
        }
        ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
        op.setResponses(responses);
        responses.forEach((code, r) -> r.setContent(jsonOnly(r.getContent())));
        if (hasBody || hasParams) {
            addError(responses, "400");
        }
        if (!PUBLIC_PATHS.contains(path)) {
            addError(responses, "401");
        }
        // login and sign-up are exempt from CSRF and need no role: they never answer 403
        if ((changesState && !PUBLIC_PATHS.contains(path)) || path.startsWith("/api/users") || path.equals("/api/cluster")) {
            addError(responses, "403");
        }
        if (hasPathParams) {
            addError(responses, "404");
        }
        if (hasBody) {
            addError(responses, "415");
        }
        addError(responses, "406");
        addError(responses, "500");
        addError(responses, "503");
        // every error answer, added here or annotated on the method, carries the error schema
        responses.forEach((code, r) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                r.setContent(errorContent());
                if (r.getDescription() == null || r.getDescription().isBlank()) {
                    r.setDescription(ERROR_TEXT.getOrDefault(code, "error"));
                }
            }
        });
        sortResponses(op);
        if (op.getParameters() != null) {
            op.getParameters().forEach(OpenApiConfig::jsonParameter);
        }
    }

    /**
     * {@code required} describes what answers always carry (WireModelResolver); a schema that
     * only requests use drops it, since clients may leave out fields (the server checks them).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void requestOnlySchemasRequireNothing(OpenAPI api, java.util.Collection<String> eventRefs) {
        Map<String, Schema> schemas = api.getComponents().getSchemas();
        if (schemas == null) {
            return;
        }
        Set<String> answers = new java.util.HashSet<>();
        java.util.ArrayDeque<Schema> todo = new java.util.ArrayDeque<>();
        eventRefs.forEach(ref -> todo.add(new Schema<>().$ref(ref))); // realtime payloads are answers too
        api.getPaths().values().forEach(item -> item.readOperations().forEach(op -> op.getResponses().values()
                .forEach(r -> {
                    if (r.getContent() != null) {
                        r.getContent().values().forEach(m -> todo.add(m.getSchema()));
                    }
                })));
        while (!todo.isEmpty()) {
            Schema s = todo.pop();
            if (s == null) {
                continue;
            }
            if (s.get$ref() != null) {
                String name = s.get$ref().substring(s.get$ref().lastIndexOf('/') + 1);
                if (answers.add(name) && schemas.get(name) != null) {
                    todo.add(schemas.get(name));
                }
            }
            if (s.getProperties() != null) {
                todo.addAll(s.getProperties().values());
            }
            for (List<Schema> list : java.util.Arrays.asList(s.getAnyOf(), s.getAllOf(), s.getOneOf())) {
                if (list != null) {
                    list.forEach(todo::add);
                }
            }
            if (s.getItems() != null) {
                todo.add(s.getItems());
            }
            if (s.getAdditionalProperties() instanceof Schema extra) {
                todo.add(extra);
            }
        }
        schemas.forEach((name, schema) -> {
            if (!answers.contains(name)) {
                schema.setRequired(null);
            }
        });
    }

    /**
     * The Socket.IO events ({@link RealtimeEvents#PAYLOADS}) as event name → payload schema
     * reference, with the payload schemas added to the components: socket clients type their
     * handlers from the same document as HTTP clients.
     */
    private static Map<String, String> realtimeEvents(ModelConverters converters, Components components) {
        Map<String, String> events = new java.util.LinkedHashMap<>();
        RealtimeEvents.PAYLOADS.forEach((event, type) -> {
            converters.readAll(type).forEach(components::addSchemas);
            String name = converters.read(type).keySet().iterator().next();
            events.put(event, "#/components/schemas/" + name);
        });
        return events;
    }

    private static void addError(ApiResponses responses, String code) {
        if (!responses.containsKey(code)) {
            responses.addApiResponse(code, new ApiResponse().description(ERROR_TEXT.get(code)));
        }
    }

    /** Responses in code order (200 before 400 before 503), whatever order they were declared in. */
    private static void sortResponses(Operation op) {
        ApiResponses sorted = new ApiResponses();
        new TreeMap<>(op.getResponses()).forEach(sorted::addApiResponse);
        op.setResponses(sorted);
    }

    /** The same schemas, declared as application/json only ({@code *}{@code /*} becomes JSON). */
    private static Content jsonOnly(Content content) {
        if (content == null || content.isEmpty()) {
            return content;
        }
        MediaType any = content.get("*/*");
        MediaType json = content.get(JSON);
        Content out = new Content();
        out.addMediaType(JSON, json != null ? json : any != null ? any : content.values().iterator().next());
        return out;
    }

    private static void jsonParameter(Parameter p) {
        if (p.getContent() != null) {
            p.setContent(jsonOnly(p.getContent()));
        }
    }

    private static Content errorContent() {
        return new Content().addMediaType(JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA)));
    }
}
