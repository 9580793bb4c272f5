package dev.p8.undertow.internal;

import dev.p8.route.Route;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The front door for clients: finds the route, then hands the exchange to a proxy exchange. */
final class ClientHandler implements HttpHandler {

  private static boolean isWebSocketEvents(HttpServerExchange exchange) {
    String type = exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, dev.p8.websocket.WebSocketEvents.CONTENT_TYPE, 0,
        dev.p8.websocket.WebSocketEvents.CONTENT_TYPE.length());
  }

  private final Engine engine;

  ClientHandler(Engine engine) {
    this.engine = engine;
  }

  private Optional<Route> findRoute(HttpServerExchange exchange, boolean ssl, boolean webSocket) {
    if (engine.config().forwarding().acceptPushpinRoute()) {
      String id = exchange.getRequestHeaders().getFirst(BackendHeaders.PUSHPIN_ROUTE);
      if (id != null) {
        // As Pushpin: the id picks the route, but its path_beg must still fit the request.
        return engine.routes().byId(id.strip())
            .filter(r -> r.pathBeg().map(exchange.getRequestPath()::startsWith).orElse(true));
      }
    }
    return engine.routes().match(exchange.getHostName(), exchange.getRequestPath(), ssl, webSocket);
  }

  /** One line per client request, as Pushpin's proxy log has; off unless INFO is on for it. */
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.p8.access");

  private static void logWhenDone(HttpServerExchange exchange, Optional<Route> route) {
    long start = System.nanoTime();
    exchange.addExchangeCompleteListener((ex, next) -> {
      ACCESS.info("{} {} -> {} code={} {} {}ms", ex.getRequestMethod(), ex.getRequestURL()
          + (ex.getQueryString().isEmpty() ? "" : "?" + ex.getQueryString()),
          route.map(r -> r.targets().isEmpty() ? "-" : r.targets().get(0).toString()).orElse("-"),
          ex.getStatusCode(), ex.getResponseBytesSent(), (System.nanoTime() - start) / 1_000_000);
      next.proceed();
    });
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (RequestHead.refuseIfTooLarge(exchange, engine.config().limits().maxRequestHeaderBytes())) {
      return;
    }
    boolean ssl = BackendHeaders.isTls(exchange, engine.config().forwarding());
    boolean webSocket = ClientWebSocket.isUpgrade(exchange);
    Optional<Route> route = findRoute(exchange, ssl, webSocket);
    if (ACCESS.isInfoEnabled()) {
      logWhenDone(exchange, route);
    }
    Events events = engine.events();
    if (events != null) {
      events.request(exchange, route.orElse(null), webSocket);
    }
    if (engine.isStopped() || engine.isDraining()) {
      // Close too, so that the client's next try opens a connection elsewhere.
      exchange.setPersistent(false);
      Responses.text(exchange, 503, "Server is stopping.");
      return;
    }
    if (route.isEmpty()) {
      Responses.text(exchange, 502, "Route not found");
      return;
    }
    boolean overHttp = route.get().targets().get(0).overHttp();
    if (webSocket) {
      if (overHttp) {
        WebSocketOverHttp.start(engine, exchange, route.get());
      } else {
        WebSocketProxy.start(engine, exchange, route.get());
      }
      return;
    }
    if (overHttp && isWebSocketEvents(exchange)) {
      WebSocketOverHttp.refuseDirectEvents(exchange);
      return;
    }
    ProxyExchange proxy = new ProxyExchange(engine, exchange, route.get());
    // Dispatching to the same thread tells Undertow the exchange outlives this method.
    exchange.dispatch(SameThreadExecutor.INSTANCE, proxy::start);
  }
}
