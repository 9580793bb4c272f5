package dev.p8.undertow.internal;

import dev.p8.publish.Item;
import dev.p8.undertow.P8Listener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.concurrent.atomic.LongAdder;

/**
 * The built-in metrics: counters fed by {@link P8Listener} events, rendered in Prometheus'
 * text exposition format. Pushpin's five metrics keep their names and meanings
 * ({@code request_received}, {@code connection_connected}, {@code connection_minute},
 * {@code message_received}, {@code message_sent}); the rest are P8's own. Every name carries
 * the configured prefix. Thread safe: counting is lock-free except the connection clock, which
 * takes a short lock on connection open and close.
 */
final class Metrics implements P8Listener {

  /** Upper bounds of the latency histogram, in seconds. */
  static final double[] LATENCY_BUCKETS = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private static final Transport[] TRANSPORTS = Transport.values();
  private static final DropReason[] REASONS = DropReason.values();

  private final String prefix;
  private final LongAdder requestsReceived = new LongAdder();
  private final LongAdder[] requestsCompleted = adders(6);
  private final LongAdder[] connections = adders(TRANSPORTS.length);
  private final LongAdder[] subscriptions = adders(TRANSPORTS.length);
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder[] delivered = adders(TRANSPORTS.length);
  private final LongAdder[] dropped = adders(REASONS.length);
  private final LongAdder[] latencyBuckets = adders(LATENCY_BUCKETS.length + 1);
  private final LongAdder latencyNanos = new LongAdder();
  private final long[] latencyBoundsNanos = new long[LATENCY_BUCKETS.length];

  // The connection clock: connection-nanoseconds accumulated, exactly, by integrating the
  // number open over time at each change, so no per-connection start time is kept.
  private final Object clock = new Object();
  private long open;
  private long maxOpen;
  private long lastChangeNanos = System.nanoTime();
  private long connectionNanos;

  private final HttpHandler handler = this::serve;

  /**
   * @param prefix put before every metric name; empty for none
   */
  Metrics(String prefix) {
    this.prefix = prefix;
    for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
      latencyBoundsNanos[i] = (long) (LATENCY_BUCKETS[i] * 1e9);
    }
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Serves the text exposition on any path and method. */
  HttpHandler handler() {
    return handler;
  }

  private void serve(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    exchange.getResponseSender().send(render());
  }

  @Override
  public void requestReceived(String route) {
    requestsReceived.increment();
  }

  @Override
  public void requestCompleted(String route, int status) {
    int family = status / 100;
    requestsCompleted[family >= 1 && family <= 5 ? family : 0].increment();
  }

  @Override
  public void connectionOpened(String id, Transport transport, String route) {
    connections[transport.ordinal()].increment();
    connectionChange(1);
  }

  @Override
  public void connectionClosed(String id, Transport transport, String route) {
    connections[transport.ordinal()].decrement();
    connectionChange(-1);
  }

  private void connectionChange(int delta) {
    synchronized (clock) {
      long now = System.nanoTime();
      connectionNanos += open * (now - lastChangeNanos);
      lastChangeNanos = now;
      open += delta;
      maxOpen = Math.max(maxOpen, open);
    }
  }

  /** Connection-nanoseconds so far, the open ones counted up to now. */
  long connectionNanos() {
    synchronized (clock) {
      return connectionNanos + open * (System.nanoTime() - lastChangeNanos);
    }
  }

  /** The most connections open at once since the last call; resets to the number open now. */
  long takeMaxConnections() {
    synchronized (clock) {
      long max = maxOpen;
      maxOpen = open;
      return max;
    }
  }

  long connectionsOpen() {
    synchronized (clock) {
      return open;
    }
  }

  long requestsReceived() {
    return requestsReceived.sum();
  }

  long messagesReceived() {
    return messagesReceived.sum();
  }

  long messagesSent() {
    long sum = 0;
    for (LongAdder a : delivered) {
      sum += a.sum();
    }
    return sum;
  }

  @Override
  public void messageReceived(Item item, int receivers) {
    messagesReceived.increment();
  }

  @Override
  public void messageDelivered(Item item, Transport transport, long latency) {
    delivered[transport.ordinal()].increment();
    latencyNanos.add(latency);
    int i = 0;
    while (i < latencyBoundsNanos.length && latency > latencyBoundsNanos[i]) {
      i++;
    }
    latencyBuckets[i].increment();
  }

  @Override
  public void messageDropped(DropReason reason, String channel) {
    dropped[reason.ordinal()].increment();
  }

  @Override
  public void subscriptionAdded(String channel, Transport transport) {
    subscriptions[transport.ordinal()].increment();
  }

  @Override
  public void subscriptionRemoved(String channel, Transport transport) {
    subscriptions[transport.ordinal()].decrement();
  }

  /** The whole exposition, as a scrape gets it. */
  String render() {
    StringBuilder out = new StringBuilder(4096);
    head(out, "request_received", "counter", "Number of requests received");
    line(out, "request_received", "", requestsReceived.sum());
    head(out, "connection_connected", "gauge", "Number of concurrent connections");
    line(out, "connection_connected", "", connectionsOpen());
    head(out, "connection_minute", "counter", "Number of minutes clients have been connected");
    line(out, "connection_minute", "", connectionNanos() / 60_000_000_000L);
    head(out, "message_received", "counter", "Number of messages received by the publish API");
    line(out, "message_received", "", messagesReceived.sum());
    head(out, "message_sent", "counter", "Number of messages sent to clients");
    line(out, "message_sent", "", messagesSent());

    head(out, "request_completed", "counter", "Client requests answered, by status class");
    for (int f = 1; f <= 5; f++) {
      line(out, "request_completed", "{status=\"" + f + "xx\"}", requestsCompleted[f].sum());
    }
    head(out, "connection_open", "gauge", "Open client connections, by transport");
    for (Transport t : TRANSPORTS) {
      line(out, "connection_open", label("transport", t.label()), connections[t.ordinal()].sum());
    }
    head(out, "subscription_open", "gauge", "Channel subscriptions of client connections, by transport");
    for (Transport t : TRANSPORTS) {
      if (t != Transport.HTTP) {
        line(out, "subscription_open", label("transport", t.label()), subscriptions[t.ordinal()].sum());
      }
    }
    head(out, "message_delivered", "counter", "Messages handed to client connections, by transport");
    for (Transport t : TRANSPORTS) {
      if (t != Transport.HTTP) {
        line(out, "message_delivered", label("transport", t.label()), delivered[t.ordinal()].sum());
      }
    }
    head(out, "message_dropped", "counter", "Messages not delivered, by reason");
    for (DropReason r : REASONS) {
      line(out, "message_dropped", label("reason", r.label()), dropped[r.ordinal()].sum());
    }
    String h = "delivery_latency_seconds";
    head(out, h, "histogram", "Time from a message reaching the subscribers to its delivery on a connection's thread");
    long cumulative = 0;
    for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
      cumulative += latencyBuckets[i].sum();
      line(out, h + "_bucket", label("le", Double.toString(LATENCY_BUCKETS[i])), cumulative);
    }
    cumulative += latencyBuckets[LATENCY_BUCKETS.length].sum();
    line(out, h + "_bucket", label("le", "+Inf"), cumulative);
    out.append(prefix).append(h).append("_sum ").append(latencyNanos.sum() / 1e9).append('\n');
    line(out, h + "_count", "", cumulative);
    return out.toString();
  }

  private static String label(String name, String value) {
    return "{" + name + "=\"" + value + "\"}";
  }

  private void head(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(prefix).append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(prefix).append(name).append(' ').append(type).append('\n');
  }

  private void line(StringBuilder out, String name, String labels, long value) {
    out.append(prefix).append(name).append(labels).append(' ').append(value).append('\n');
  }
}
