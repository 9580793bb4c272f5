package dev.p8.undertow.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static method of a {@link P8Test} class that takes a
 * {@link dev.p8.undertow.P8Server.Builder} and configures it further before the proxy is built,
 * for example with signing keys or limits. The kit has already set the listeners and the routes;
 * the method may add routes. At most one per class.
 *
 * <pre>{@code
 * @P8Setup
 * static void setUp(P8Server.Builder builder) {
 *   builder.signing("pushpin", "changeme");
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface P8Setup {
}
