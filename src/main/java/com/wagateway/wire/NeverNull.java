package com.wagateway.wire;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of an answer that is never null (an id, a status, a creation time). The OpenAPI
 * document declares every other non-primitive field of an answer as nullable, because the API
 * writes nulls rather than leaving fields out; this is how generated clients know which fields
 * they can use without a null check. Read by {@code com.wagateway.web.WireModelResolver}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface NeverNull {
}
