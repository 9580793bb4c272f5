package dev.p8.undertow.internal;

import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.route.RouteTable;
import dev.p8.publish.Publisher;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything a running server shares: configuration, routes, the hub, the backend connection
 * pool and the set of held connections. One per {@code P8Server}; no statics.
 */
public final class Engine {

  private final EngineConfig config;
  private final ChannelHub hub = new ChannelHub();
  private final RouteTable routes;
  private final BackendPool backends = new BackendPool();
  private final SignatureCache signatures;
  private final Set<HeldExchange> held = ConcurrentHashMap.newKeySet();
  private final Set<ClientWebSocket> webSockets = ConcurrentHashMap.newKeySet();
  private final HttpHandler clientHandler;
  private final HttpHandler controlHandler;
  private final Publisher publisher;
  private volatile boolean stopped;

  /** Creates the engine for a validated configuration. */
  public Engine(EngineConfig config) {
    this.config = config;
    this.routes = RouteTable.of(config.routes());
    this.signatures = new SignatureCache(config.sigIssuer(), config.sigKey());
    this.clientHandler = new HttpContinueReadHandler(new ClientHandler(this));
    // curl sends Expect: 100-continue for bodies over 1 KiB and waits a second without an answer.
    this.controlHandler = new HttpContinueReadHandler(new ControlHandler(this));
    this.publisher = new LocalPublisher(hub);
  }

  /** The configuration. */
  public EngineConfig config() {
    return config;
  }

  /** The channel hub. */
  public ChannelHub hub() {
    return hub;
  }

  RouteTable routes() {
    return routes;
  }

  BackendPool backends() {
    return backends;
  }

  SignatureCache signatures() {
    return signatures;
  }

  /** The handler for client traffic. */
  public HttpHandler clientHandler() {
    return clientHandler;
  }

  /** The handler for the control API. */
  public HttpHandler controlHandler() {
    return controlHandler;
  }

  /** The in-process publisher. */
  public Publisher publisher() {
    return publisher;
  }

  /** The number of held client connections. */
  public int heldConnections() {
    return held.size();
  }

  boolean isStopped() {
    return stopped;
  }

  void register(HeldExchange exchange) {
    held.add(exchange);
  }

  void unregister(HeldExchange exchange) {
    held.remove(exchange);
  }

  /** The number of open client WebSockets. */
  public int webSocketConnections() {
    return webSockets.size();
  }

  void registerWebSocket(ClientWebSocket session) {
    webSockets.add(session);
  }

  void unregisterWebSocket(ClientWebSocket session) {
    webSockets.remove(session);
  }

  /** Called once the listeners are bound. */
  public void started() {
    stopped = false;
  }

  /** Closes every held connection and every pooled backend connection. */
  public void stop() {
    stopped = true;
    for (HeldExchange h : held) {
      h.abort();
    }
    held.clear();
    for (ClientWebSocket w : webSockets) {
      w.abort();
    }
    backends.closeAll();
  }
}
