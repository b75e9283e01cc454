package com.wagateway.wire;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A string field of an answer that only ever holds one of an enum's wire values (its
 * {@code wire()} method, else the lower-case name). The OpenAPI document lists them, so
 * generated clients get a union type that follows the enum instead of a hand-copied list.
 * Read by {@code com.wagateway.web.WireModelResolver}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface WireValues {
    Class<? extends Enum<?>> value();
}
