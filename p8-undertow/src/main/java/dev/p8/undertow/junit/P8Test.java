package dev.p8.undertow.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against a P8 proxy started in-process, on 127.0.0.1 and port 0,
 * with its control API on another free loopback port.
 *
 * <pre>{@code
 * @P8Test
 * class ChatTest {
 *   @P8Backend
 *   static final HttpHandler BACKEND = exchange -> {
 *     exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "response");
 *     exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Channel"), "chat");
 *     exchange.getResponseSender().send("");
 *   };
 *
 *   @Test
 *   void longPollGetsTheMessage(URI p8, Publisher publisher, P8Server server) { ... }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> One backend and one proxy serve every test of the class; they start
 * before the first test that needs them and stop after the last. Test methods, constructors and
 * {@code @BeforeEach}/{@code @AfterEach} methods may declare parameters of these types:
 * <ul>
 *   <li>{@link dev.p8.undertow.P8Server}: the running proxy;
 *   <li>{@link java.net.URI}: its client URL, such as {@code http://127.0.0.1:41234}; with
 *       {@link ControlUrl}, its control API URL;
 *   <li>{@link dev.p8.publish.Publisher}: an in-process publisher (see
 *       {@link dev.p8.undertow.P8Server#publisher()}).
 * </ul>
 *
 * <p><b>Leak check.</b> After each test, P8 must come back to no held connection, no open
 * WebSocket and no subscription within {@link #leakTimeoutMillis()}; otherwise the test fails
 * with a message giving the three counts, and the proxy is replaced by a fresh one so that the
 * leak does not spill into the next test. Close every response and WebSocket a test opens.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(P8Extension.class)
public @interface P8Test {

  /**
   * Routes in Pushpin's routes-file syntax. {@code {backend}} in a route stands for the
   * {@link P8Backend}'s target: {@code in-process:backend,over_http} for a handler called
   * in-process, else its {@code host:port}. Default: none, meaning {@code "* {backend}"} when
   * the class has a backend.
   *
   * @return the route lines, each passed to {@link dev.p8.undertow.P8Server.Builder#route(String)}
   *     after {@code {backend}} is replaced; a line naming {@code {backend}} in a class without
   *     a {@link P8Backend} fails the class's setup. Empty and no backend: no routes, unless a
   *     {@link P8Setup} method adds some
   */
  String[] routes() default {};

  /**
   * Whether an {@link io.undertow.server.HttpHandler} backend is called in-process, with no
   * socket between P8 and the handler (see
   * {@link dev.p8.undertow.P8Server.Builder#origin}); WebSocket clients then reach it as
   * WebSocket-over-HTTP. False serves it with an Undertow server on 127.0.0.1 and a free port
   * instead, for a test that needs a real backend socket, such as one proxying WebSockets to a
   * backend WebSocket. Default true. Ignored for a {@code host:port} backend.
   *
   * @return true to call the handler in-process, false to serve it on a loopback socket
   */
  boolean inProcess() default true;

  /**
   * Whether to fail a test that leaves held connections, WebSockets or subscriptions open.
   * Default true.
   *
   * @return true to run the leak check after each test, false to skip it
   */
  boolean checkLeaks() default true;

  /**
   * How long the leak check waits for P8 to release everything. Default 5000 ms.
   *
   * @return the wait in milliseconds, counted from the end of each test; zero or less checks
   *     once without waiting. Ignored when {@link #checkLeaks()} is false
   */
  long leakTimeoutMillis() default 5000;
}
