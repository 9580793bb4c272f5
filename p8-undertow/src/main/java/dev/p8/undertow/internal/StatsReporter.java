package dev.p8.undertow.internal;

import dev.p8.internal.zmq.StatsPublisher;
import dev.p8.publish.Item;
import dev.p8.undertow.P8Listener;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushpin's stats socket fed by {@link P8Listener} events: {@code activity} packets per route
 * (batched every {@link #ACTIVITY_MILLIS}), a {@code message} packet per publish, {@code conn}
 * and {@code sub} packets when connections and (mode, channel) subscriptions appear and go,
 * refreshed before their TTL runs out, and a {@code report} every report interval.
 *
 * <p>Stats are an aid, not a service: if the socket cannot be bound (an {@code ipc://} path
 * whose directory does not exist, a port in use), {@link #start()} logs it once and the
 * server runs without stats. Events arrive on any thread; packets are sent from the stats
 * timer thread and from the event's thread, and the publisher never blocks.
 */
final class StatsReporter implements P8Listener {

  private static final Logger log = LoggerFactory.getLogger(StatsReporter.class);
  static final long ACTIVITY_MILLIS = 100;
  /** Pushpin's {@code stats_connection_ttl} and {@code stats_subscription_ttl} defaults. */
  static final int CONNECTION_TTL_SECONDS = 120;
  static final int SUBSCRIPTION_TTL_SECONDS = 60;

  private record Conn(String route, boolean webSocket) { }

  private final EngineConfig.Stats config;
  private final Metrics metrics;
  private final StatsPublisher publisher;
  private final ConcurrentHashMap<String, LongAdder> activity = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Conn> conns = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> subs = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;
  private volatile boolean running;
  private long lastReportNanos;
  private long lastMinutes;
  private long lastReceived;
  private long lastSent;
  private long lastRequests;

  StatsReporter(EngineConfig.Stats config, Metrics metrics, String from) {
    this.config = config;
    this.metrics = metrics;
    this.publisher = new StatsPublisher(config.spec(), config.format(), from);
  }

  /** Binds the socket and starts the timers, or logs why it cannot and stays off. */
  synchronized void start() {
    if (timer != null) {
      return;
    }
    try {
      publisher.start();
    } catch (IllegalStateException e) {
      log.warn("stats socket not available, running without stats: {}", e.getMessage());
      return;
    }
    lastReportNanos = System.nanoTime();
    lastMinutes = metrics.connectionNanos() / 60_000_000_000L;
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "p8-stats");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(guard(this::flushActivity), ACTIVITY_MILLIS, ACTIVITY_MILLIS,
        TimeUnit.MILLISECONDS);
    long report = config.reportInterval().toMillis();
    timer.scheduleWithFixedDelay(guard(this::report), report, report, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(guard(this::refreshConnections), CONNECTION_TTL_SECONDS * 3 / 4,
        CONNECTION_TTL_SECONDS * 3 / 4, TimeUnit.SECONDS);
    timer.scheduleWithFixedDelay(guard(this::refreshSubscriptions), SUBSCRIPTION_TTL_SECONDS * 3 / 4,
        SUBSCRIPTION_TTL_SECONDS * 3 / 4, TimeUnit.SECONDS);
    running = true;
  }

  /** The bound endpoint, or null when stats are off. */
  String endpoint() {
    return running ? publisher.endpoint() : null;
  }

  synchronized void stop() {
    running = false;
    if (timer != null) {
      timer.shutdownNow();
    }
    publisher.close();
  }

  private static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("stats task failed", e);
      }
    };
  }

  @Override
  public void requestReceived(String route) {
    if (running) {
      activity.computeIfAbsent(route == null ? "" : route, r -> new LongAdder()).increment();
    }
  }

  private void flushActivity() {
    for (Map.Entry<String, LongAdder> e : activity.entrySet()) {
      long n = e.getValue().sumThenReset();
      if (n > 0) {
        publisher.activity(e.getKey(), (int) Math.min(Integer.MAX_VALUE, n));
      }
    }
  }

  @Override
  public void connectionOpened(String id, Transport transport, String route) {
    if (running && config.sendConnections()) {
      boolean ws = transport == Transport.WEBSOCKET || transport == Transport.WS_OVER_HTTP;
      conns.put(id, new Conn(route, ws));
      publisher.connected(id, route, ws, null, false, CONNECTION_TTL_SECONDS);
    }
  }

  @Override
  public void connectionClosed(String id, Transport transport, String route) {
    if (running && config.sendConnections() && conns.remove(id) != null) {
      publisher.disconnected(id, route);
    }
  }

  private void refreshConnections() {
    conns.forEach((id, c) -> publisher.connected(id, c.route(), c.webSocket(), null, false,
        CONNECTION_TTL_SECONDS));
  }

  @Override
  public void messageReceived(Item item, int receivers) {
    if (!running || receivers == 0) {
      return;
    }
    String itemId = item.id().orElse(null);
    String transport = item.httpResponse().isPresent() ? "http-response"
        : item.httpStream().isPresent() ? "http-stream" : "ws-message";
    publisher.message(item.channel(), itemId, receivers, -1, transport);
  }

  private static String mode(Transport t) {
    return switch (t) {
      case LONG_POLL -> "response";
      case HTTP_STREAM -> "stream";
      default -> "ws";
    };
  }

  @Override
  public void subscriptionAdded(String channel, Transport transport) {
    if (!running) {
      return;
    }
    String mode = mode(transport);
    int n = subs.computeIfAbsent(mode + ' ' + channel, k -> new AtomicInteger()).incrementAndGet();
    if (n == 1) {
      publisher.subscribed(mode, channel, SUBSCRIPTION_TTL_SECONDS, 1);
    }
  }

  @Override
  public void subscriptionRemoved(String channel, Transport transport) {
    if (!running) {
      return;
    }
    String mode = mode(transport);
    String key = mode + ' ' + channel;
    boolean[] gone = new boolean[1];
    subs.computeIfPresent(key, (k, n) -> {
      if (n.decrementAndGet() <= 0) {
        gone[0] = true;
        return null;
      }
      return n;
    });
    if (gone[0]) {
      publisher.unsubscribed(mode, channel);
    }
  }

  private void refreshSubscriptions() {
    subs.forEach((key, n) -> {
      int space = key.indexOf(' ');
      publisher.subscribed(key.substring(0, space), key.substring(space + 1), SUBSCRIPTION_TTL_SECONDS,
          n.get());
    });
  }

  /** Sends a report now; the counters are the change since the last one. */
  synchronized void report() {
    if (!running) {
      return;
    }
    long now = System.nanoTime();
    long minutes = metrics.connectionNanos() / 60_000_000_000L;
    long received = metrics.messagesReceived();
    long sent = metrics.messagesSent();
    long requests = metrics.requestsReceived();
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("connections", metrics.takeMaxConnections());
    counters.put("minutes", minutes - lastMinutes);
    counters.put("received", received - lastReceived);
    counters.put("sent", sent - lastSent);
    counters.put("requests-received", requests - lastRequests);
    counters.put("duration", Duration.ofNanos(now - lastReportNanos).toMillis());
    lastReportNanos = now;
    lastMinutes = minutes;
    lastReceived = received;
    lastSent = sent;
    lastRequests = requests;
    publisher.report(counters);
  }
}
