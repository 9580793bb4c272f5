package dev.p8.examples;

import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.Function;

/**
 * How the examples run: an origin (the example's backend, an ordinary Undertow handler on a
 * free loopback port) and P8 in front of it. This is the wiring a real deployment has too,
 * with the origin in its own process.
 */
public final class ExampleServer implements AutoCloseable {

  private final P8Server proxy;
  private final Undertow origin;
  private final HttpHandler backend;

  private ExampleServer(P8Server proxy, Undertow origin, HttpHandler backend) {
    this.proxy = proxy;
    this.origin = origin;
    this.backend = backend;
  }

  /**
   * Starts the origin, then P8.
   *
   * @param port        P8's client port on 127.0.0.1, or 0 for any free port
   * @param controlPort P8's control API port on 127.0.0.1, or 0 for any
   * @param backend     makes the origin's handler, given P8's in-process publisher; closed
   *                    with the server if it is {@link AutoCloseable}
   * @param routes      P8's routes, {@code {origin}} standing for the origin's host:port
   * @return the running example
   */
  public static ExampleServer start(int port, int controlPort,
      Function<Publisher, HttpHandler> backend, String... routes) {
    P8Server.Builder builder = P8Server.builder()
        .listen("127.0.0.1", port)
        .controlListener("127.0.0.1", controlPort);
    // The origin needs P8's publisher, and P8 needs the origin's port: bind the origin first
    // and give it its handler once P8 is built (P8's publisher works before P8 starts).
    HttpHandler[] handler = new HttpHandler[1];
    Undertow origin = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setHandler(exchange -> handler[0].handleRequest(exchange))
        .build();
    origin.start();
    String originAddress = "127.0.0.1:"
        + ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
    for (String route : routes) {
      builder.route(route.replace("{origin}", originAddress));
    }
    P8Server proxy = builder.build();
    handler[0] = backend.apply(proxy.publisher());
    try {
      proxy.start();
    } catch (RuntimeException e) {
      origin.stop();
      throw e;
    }
    return new ExampleServer(proxy, origin, handler[0]);
  }

  /** The running proxy. */
  public P8Server proxy() {
    return proxy;
  }

  /**
   * The URL clients use, such as {@code http://127.0.0.1:7999}.
   *
   * @return the client URL
   */
  public URI url() {
    return proxy.url();
  }

  /** Stops P8, then the origin. */
  @Override
  public void close() {
    proxy.close();
    origin.stop();
    if (backend instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the example's backend failed", e);
      }
    }
  }
}
