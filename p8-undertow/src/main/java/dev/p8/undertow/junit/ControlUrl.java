package dev.p8.undertow.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link java.net.URI} parameter of a {@link P8Test} test, asks for the control API URL
 * (where {@code POST /publish} is served) instead of the client URL.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ControlUrl {
}
