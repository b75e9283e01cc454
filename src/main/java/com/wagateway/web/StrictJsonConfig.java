package com.wagateway.web;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Makes the API's Jackson 3 mapper (the one Spring MVC reads request bodies with) strict, so a
 * wrong body fails while it is read, with the JSON path of the field at fault, before any code
 * runs (ApiErrorHandler turns it into 400 with {@code field}):
 * <ul>
 * <li>no scalar coercion: {@code "message": 5} is not the text "5", {@code "count": "5"} is not
 *     the number 5, {@code "flag": "true"} is not a boolean, {@code "kind": 1} is not an enum;</li>
 * <li>no U+0000 in any string: PostgreSQL text and jsonb cannot hold it, so a NUL would
 *     otherwise fail deep inside a write (500) instead of being refused up front.</li>
 * </ul>
 * Numbers still widen (an integer where a decimal is expected is not coercion).
 */
@Configuration
public class StrictJsonConfig {

    /** Applied to Spring Boot's auto-configured JSON mapper. */
    @Bean
    JsonMapperBuilderCustomizer strictRequestBodies() {
        SimpleModule noNul = new SimpleModule("no-nul-strings");
        noNul.addDeserializer(String.class, new NulRefusingStringDeserializer());
        return builder -> builder
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Enum, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .addModule(noNul);
    }

    /** Jackson's own String deserializer, plus: a value containing U+0000 is refused. */
    static final class NulRefusingStringDeserializer extends StringDeserializer {

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\u0000') >= 0) {
                throw new NulCharacterException(p);
            }
            return value;
        }
    }

    /** A string in a request body contained U+0000; the path says where. */
    public static final class NulCharacterException extends MismatchedInputException {

        NulCharacterException(JsonParser p) {
            super(p, "text must not contain the NUL character (U+0000)", String.class);
        }
    }
}
