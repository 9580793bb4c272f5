package dev.p8.undertow.internal;

import dev.p8.internal.hold.ResponseHold;
import dev.p8.internal.hold.StreamHold;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.hub.Subscriber;
import dev.p8.publish.Item;
import dev.p8.route.Route;
import dev.p8.undertow.P8Listener;
import dev.p8.undertow.P8Listener.Transport;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to the registered listeners, each guarded so that one that throws disturbs
 * neither the others nor the connection. The engine holds none of this when no listener is
 * registered, so the hot paths cost one null check.
 */
final class Events implements ChannelHub.SubscriptionListener {

  private static final Logger log = LoggerFactory.getLogger(Events.class);
  private static final AttachmentKey<Connection> CONNECTION = AttachmentKey.create(Connection.class);

  /** A client HTTP connection as events see it; its transport changes when it is held. */
  private static final class Connection {
    final String id;
    final String route;
    Transport transport;

    Connection(String id, String route, Transport transport) {
      this.id = id;
      this.route = route;
      this.transport = transport;
    }
  }

  private final P8Listener[] listeners;
  private final AtomicLong ids = new AtomicLong();

  private Events(List<P8Listener> listeners) {
    this.listeners = listeners.toArray(new P8Listener[0]);
  }

  /** Events for these listeners, or null when there are none. */
  static Events of(List<P8Listener> listeners) {
    return listeners.isEmpty() ? null : new Events(listeners);
  }

  static String routeId(Route route) {
    return route == null ? null : route.id().orElse(null);
  }

  // A listener that throws on every delivery would otherwise write a stack trace per message.
  private volatile boolean warned;

  private void failed(P8Listener l, String event, RuntimeException e) {
    if (!warned) {
      warned = true;
      log.warn("P8Listener {} threw from {}; ignored (later failures are logged at debug)",
          l.getClass().getName(), event, e);
    } else {
      log.debug("P8Listener {} threw from {}; ignored", l.getClass().getName(), event, e);
    }
  }

  /** A client request arrived; tracks it as an HTTP connection unless it is a WebSocket. */
  void request(HttpServerExchange exchange, Route route, boolean webSocket) {
    String routeId = routeId(route);
    for (P8Listener l : listeners) {
      try {
        l.requestReceived(routeId);
      } catch (RuntimeException e) {
        failed(l, "requestReceived", e);
      }
    }
    Connection c = null;
    if (!webSocket) {
      c = new Connection(Long.toString(ids.incrementAndGet()), routeId, Transport.HTTP);
      exchange.putAttachment(CONNECTION, c);
      opened(c.id, Transport.HTTP, routeId);
    }
    Connection tracked = c;
    exchange.addExchangeCompleteListener((ex, next) -> {
      if (tracked != null && tracked.transport == Transport.HTTP) {
        tracked.transport = null;
        closed(tracked.id, Transport.HTTP, routeId);
      }
      int status = ex.getStatusCode();
      for (P8Listener l : listeners) {
        try {
          l.requestCompleted(routeId, status);
        } catch (RuntimeException e) {
          failed(l, "requestCompleted", e);
        }
      }
      next.proceed();
    });
  }

  /** The request became a held long-poll or stream. */
  void held(HttpServerExchange exchange, boolean stream) {
    Transport to = stream ? Transport.HTTP_STREAM : Transport.LONG_POLL;
    Connection c = exchange.getAttachment(CONNECTION);
    if (c == null) {
      c = new Connection(Long.toString(ids.incrementAndGet()), null, null);
      exchange.putAttachment(CONNECTION, c);
    }
    if (c.transport == Transport.HTTP) {
      closed(c.id, Transport.HTTP, c.route);
    }
    c.transport = to;
    opened(c.id, to, c.route);
  }

  /** The hold ended. */
  void released(HttpServerExchange exchange) {
    Connection c = exchange.getAttachment(CONNECTION);
    if (c != null && c.transport != null && c.transport != Transport.HTTP) {
      Transport was = c.transport;
      c.transport = null;
      closed(c.id, was, c.route);
    }
  }

  void webSocketOpened(ClientWebSocket session) {
    opened(session.id, transport(session), routeId(session.route));
  }

  void webSocketClosed(ClientWebSocket session) {
    closed(session.id, transport(session), routeId(session.route));
  }

  private void opened(String id, Transport transport, String route) {
    for (P8Listener l : listeners) {
      try {
        l.connectionOpened(id, transport, route);
      } catch (RuntimeException e) {
        failed(l, "connectionOpened", e);
      }
    }
  }

  private void closed(String id, Transport transport, String route) {
    for (P8Listener l : listeners) {
      try {
        l.connectionClosed(id, transport, route);
      } catch (RuntimeException e) {
        failed(l, "connectionClosed", e);
      }
    }
  }

  void received(Item item, int receivers) {
    for (P8Listener l : listeners) {
      try {
        l.messageReceived(item, receivers);
      } catch (RuntimeException e) {
        failed(l, "messageReceived", e);
      }
    }
    if (receivers == 0) {
      dropped(P8Listener.DropReason.NO_SUBSCRIBERS, item.channel());
    }
  }

  @Override
  public void droppedAtBound(String channel, int subscribers) {
    dropped(P8Listener.DropReason.QUEUE_FULL, channel);
  }

  void dropped(P8Listener.DropReason reason, String channel) {
    for (P8Listener l : listeners) {
      try {
        l.messageDropped(reason, channel);
      } catch (RuntimeException e) {
        failed(l, "messageDropped", e);
      }
    }
  }

  @Override
  public void subscribed(String channel, Subscriber subscriber) {
    Transport t = transport(subscriber);
    if (t == null) {
      return;
    }
    for (P8Listener l : listeners) {
      try {
        l.subscriptionAdded(channel, t);
      } catch (RuntimeException e) {
        failed(l, "subscriptionAdded", e);
      }
    }
  }

  @Override
  public void unsubscribed(String channel, Subscriber subscriber) {
    Transport t = transport(subscriber);
    if (t == null) {
      return;
    }
    for (P8Listener l : listeners) {
      try {
        l.subscriptionRemoved(channel, t);
      } catch (RuntimeException e) {
        failed(l, "subscriptionRemoved", e);
      }
    }
  }

  @Override
  public void delivered(String channel, Item item, Subscriber subscriber, long queuedNanos) {
    Transport t = transport(subscriber);
    if (t == null) {
      return;
    }
    for (P8Listener l : listeners) {
      try {
        l.messageDelivered(item, t, queuedNanos);
      } catch (RuntimeException e) {
        failed(l, "messageDelivered", e);
      }
    }
  }

  /** The transport of a hub subscriber, or null for one that is no client connection. */
  static Transport transport(Subscriber s) {
    if (s instanceof StreamHold) {
      return Transport.HTTP_STREAM;
    }
    if (s instanceof ResponseHold) {
      return Transport.LONG_POLL;
    }
    if (s instanceof WebSocketOverHttp) {
      return Transport.WS_OVER_HTTP;
    }
    if (s instanceof ClientWebSocket) {
      return Transport.WEBSOCKET;
    }
    return null;
  }
}
