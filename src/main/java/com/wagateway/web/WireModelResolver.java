package com.wagateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.wagateway.wire.NeverNull;
import com.wagateway.wire.WireValues;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the API's records into schemas the way the API writes them, so generated clients get
 * the real shape:
 * <ul>
 * <li>property names in snake_case (the app's Jackson 3 mapper; swagger-core reads models with its
 * own Jackson 2 mapper, which would otherwise document camelCase names no answer has);</li>
 * <li>every field required, since the API writes nulls instead of leaving fields out (a record or
 * field marked {@code @JsonInclude(NON_NULL)} leaves them out: there only {@link NeverNull}
 * fields are required);</li>
 * <li>every field nullable unless it is primitive, a collection, or marked {@link NeverNull};</li>
 * <li>the allowed values of a field marked {@link WireValues} (e.g. a connection's status).</li>
 * </ul>
 * Request bodies share these records; {@link OpenApiConfig} drops {@code required} from schemas
 * only requests use (a client may leave out any field the server does not insist on).
 */
public class WireModelResolver extends ModelResolver {

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    public WireModelResolver() {
        super(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Override
    public Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> next) {
        Schema resolved = super.resolve(type, context, next);
        Class<?> raw = type.getType() == null ? null : _mapper.constructType(type.getType()).getRawClass();
        if (resolved == null || raw == null || !raw.isRecord()) {
            return resolved;
        }
        Schema model = resolved;
        if (resolved.get$ref() != null) {
            String ref = resolved.get$ref();
            model = context.getDefinedModels().get(ref.substring(ref.lastIndexOf('/') + 1));
        }
        if (model != null && model.getProperties() != null) {
            describeFields(raw, model);
        }
        return resolved;
    }

    /** Required and nullable per the rules above; safe to run twice on the same model. */
    @SuppressWarnings("unchecked")
    private static void describeFields(Class<?> record, Schema model) {
        boolean recordOmitsNulls = omitsNulls(record.getAnnotation(JsonInclude.class));
        Map<String, Schema> props = model.getProperties();
        List<String> required = model.getRequired() == null ? new ArrayList<>() : new ArrayList<>(model.getRequired());
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonUnwrapped.class) && c.getType().isRecord()) {
                model.setRequired(required);
                describeFields(c.getType(), model); // its fields are written inline
                required = new ArrayList<>(model.getRequired());
                continue;
            }
            String name = SNAKE.translate(c.getName());
            Schema p = props.get(name);
            if (p == null) {
                continue;
            }
            Class<?> t = c.getType();
            boolean neverNull = t.isPrimitive() || Collection.class.isAssignableFrom(t) || t.isArray()
                    || c.isAnnotationPresent(NeverNull.class);
            boolean omitsNulls = recordOmitsNulls || omitsNulls(c.getAnnotation(JsonInclude.class))
                    || omitsNulls(accessorInclude(c));
            if ((neverNull || !omitsNulls) && !required.contains(name)) {
                required.add(name);
            }
            WireValues values = c.getAnnotation(WireValues.class);
            if (values != null && p.getEnum() == null) {
                p.setEnum(wireValues(values.value()));
            }
            if (!neverNull && !omitsNulls) {
                props.put(name, nullable(p));
            }
        }
        model.setRequired(required);
    }

    /** Each constant's {@code wire()} value, or its lower-case name when the enum has no such method. */
    private static List<String> wireValues(Class<? extends Enum<?>> type) {
        List<String> out = new ArrayList<>();
        for (Enum<?> e : type.getEnumConstants()) {
            try {
                out.add((String) type.getMethod("wire").invoke(e));
            } catch (ReflectiveOperationException | ClassCastException none) {
                out.add(e.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    private static JsonInclude accessorInclude(RecordComponent c) {
        return c.getAccessor().getAnnotation(JsonInclude.class);
    }

    private static boolean omitsNulls(JsonInclude include) {
        return include != null && include.value() != JsonInclude.Include.ALWAYS
                && include.value() != JsonInclude.Include.USE_DEFAULTS;
    }

    /** The same schema, also accepting null (OpenAPI 3.1: a "null" type, or anyOf for a $ref). */
    @SuppressWarnings("unchecked")
    private static Schema nullable(Schema p) {
        if (p.get$ref() != null) {
            Schema nullType = new Schema<>();
            nullType.addType("null");
            return new Schema<>().anyOf(List.of(p, nullType));
        }
        if (p.getAnyOf() != null) {
            return p; // already made nullable
        }
        Set<String> types = p.getTypes() == null ? new LinkedHashSet<>() : new LinkedHashSet<>(p.getTypes());
        if (types.isEmpty() && p.getType() != null) {
            types.add(p.getType());
        }
        if (types.isEmpty()) {
            return p; // any JSON value: null included already
        }
        types.add("null");
        p.setTypes(types);
        return p;
    }
}
