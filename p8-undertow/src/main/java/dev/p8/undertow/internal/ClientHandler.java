package dev.p8.undertow.internal;

import dev.p8.route.Route;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.Optional;

/** The front door for clients: finds the route, then hands the exchange to a proxy exchange. */
final class ClientHandler implements HttpHandler {

  private final Engine engine;

  ClientHandler(Engine engine) {
    this.engine = engine;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (engine.isStopped()) {
      Responses.text(exchange, 503, "Server is stopping.");
      return;
    }
    boolean ssl = "https".equals(exchange.getRequestScheme());
    Optional<Route> route = engine.routes().match(exchange.getHostName(), exchange.getRequestPath(), ssl, false);
    if (route.isEmpty()) {
      Responses.text(exchange, 502, "Route not found");
      return;
    }
    ProxyExchange proxy = new ProxyExchange(engine, exchange, route.get());
    // Dispatching to the same thread tells Undertow the exchange outlives this method.
    exchange.dispatch(SameThreadExecutor.INSTANCE, proxy::start);
  }
}
