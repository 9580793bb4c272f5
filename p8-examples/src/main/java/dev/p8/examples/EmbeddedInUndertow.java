package dev.p8.examples;

import dev.p8.backend.GripHeaders;
import dev.p8.backend.GripSigVerifier;
import dev.p8.publish.Item;
import dev.p8.undertow.P8Server;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * P8 inside an application that already runs Undertow: no second server, no extra port. The
 * application mounts P8's handler at {@code /live}; P8 sends those requests back to the
 * application at {@code /grip} (the route's {@code replace_beg}), where GRIP handlers answer
 * them; and the application publishes with P8's in-process publisher.
 *
 * <ul>
 *   <li>{@code GET /} — the application's own page, untouched by P8.
 *   <li>{@code GET /live/updates} — a stream held by P8 on channel {@code updates}.
 *   <li>{@code POST /update} — the application publishes its body to {@code updates}.
 *   <li>{@code /grip/...} — only for P8: requests without P8's {@code Grip-Sig} get 403.
 * </ul>
 */
public final class EmbeddedInUndertow implements AutoCloseable {

  private final Undertow app;
  private final P8Server p8;

  private EmbeddedInUndertow(Undertow app, P8Server p8) {
    this.app = app;
    this.p8 = p8;
  }

  /**
   * Starts the application.
   *
   * @param port the application's port on 127.0.0.1, or 0 for any
   * @return the running application
   */
  public static EmbeddedInUndertow start(int port) {
    PathHandler paths = Handlers.path();
    Undertow app = Undertow.builder().addHttpListener(port, "127.0.0.1").setHandler(paths).build();
    app.start();
    int appPort = ((InetSocketAddress) app.getListenerInfo().get(0).getAddress()).getPort();

    // P8 signs what it sends to /grip, so nobody else can pose as P8 there.
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String key = Base64.getEncoder().encodeToString(secret);
    P8Server p8 = P8Server.builder()
        .noControlListener()
        .route("*,path_beg=/live,replace_beg=/grip 127.0.0.1:" + appPort)
        .signing("my-app", key)
        .build();  // not started: the application's server does the listening
    GripSigVerifier fromP8 = GripSigVerifier.of(key);

    paths.addPrefixPath("/", exchange -> exchange.getResponseSender().send("The application's own page\n"))
        .addPrefixPath("/live", p8.handler())
        .addPrefixPath("/grip", grip(fromP8))
        .addExactPath("/update", exchange -> {
          if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.setStatusCode(405).getResponseSender().send("Use POST\n");
            return;
          }
          exchange.getRequestReceiver().receiveFullString((ex, text) -> {
            p8.publisher().publish(Item.stream("updates", text.strip() + "\n"));
            ex.getResponseSender().send("Published\n");
          });
        });
    return new EmbeddedInUndertow(app, p8);
  }

  private static HttpHandler grip(GripSigVerifier fromP8) {
    return exchange -> {
      if (!fromP8.verify(exchange.getRequestHeaders().getFirst("Grip-Sig"))) {
        exchange.setStatusCode(403).getResponseSender().send("Only through /live\n");
      } else if (exchange.getRelativePath().equals("/updates")) {
        GripHeaders.builder().holdStream().channel("updates").build()
            .forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("Waiting for updates\n");
      } else {
        exchange.setStatusCode(404).getResponseSender().send("Not found\n");
      }
    };
  }

  /**
   * The application's URL.
   *
   * @return such as {@code http://127.0.0.1:8080}
   */
  public URI url() {
    return URI.create("http://127.0.0.1:"
        + ((InetSocketAddress) app.getListenerInfo().get(0).getAddress()).getPort());
  }

  /** P8, for its counts. */
  public P8Server p8() {
    return p8;
  }

  /** Closes P8's held connections, then stops the application's server. */
  @Override
  public void close() {
    p8.close();
    app.stop();
  }

  /**
   * Runs the application on port 8080 until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    EmbeddedInUndertow app = start(8080);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    System.out.println("Application on " + app.url() + "; stream " + app.url() + "/live/updates");
  }
}
