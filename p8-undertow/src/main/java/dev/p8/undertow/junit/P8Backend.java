package dev.p8.undertow.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the backend of a {@link P8Test} class: a static field, or a static method without
 * parameters, of one of these types.
 * <ul>
 *   <li>{@link io.undertow.server.HttpHandler}: called in-process by P8, with no socket (the
 *       default), or, with {@link P8Test#inProcess()} false, served by an Undertow server that
 *       the kit starts on 127.0.0.1 and port 0, before P8, and stops after it;
 *   <li>{@link String}: the {@code host:port} of a backend the test runs itself, such as a
 *       MockWebServer's.
 * </ul>
 * A static method may also take a {@link dev.p8.publish.Publisher}: it then receives the
 * proxy's in-process publisher, for a backend that publishes, and must return an
 * {@code HttpHandler}.
 *
 * <pre>{@code
 * @P8Backend
 * static HttpHandler backend(Publisher publisher) {
 *   return new ChatBackend(publisher);
 * }
 * }</pre>
 *
 * A class has at most one backend. It is read once, before the proxy starts.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface P8Backend {
}
