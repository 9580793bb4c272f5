package dev.p8.examples;

import dev.p8.backend.GripHeaders;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker over Server-Sent Events: {@code GET /ticker} is a stream that gets
 * {@code data: tick N} every period, published by a timer in the backend, and a comment line
 * when it has been quiet for 20 s so proxies do not close it.
 *
 * <pre>curl -N http://localhost:7999/ticker</pre>
 */
public final class SseTicker implements HttpHandler, AutoCloseable {

  /** The channel ticks go to. */
  public static final String CHANNEL = "ticker";

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ticker");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong ticks = new AtomicLong();

  /**
   * Starts ticking.
   *
   * @param publisher where ticks are published
   * @param period    the time between ticks
   */
  public SseTicker(Publisher publisher, Duration period) {
    timer.scheduleAtFixedRate(() -> publisher.publish(
            Item.stream(CHANNEL, "data: tick " + ticks.incrementAndGet() + "\n\n")),
        period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (!exchange.getRequestPath().equals("/ticker")) {
      exchange.setStatusCode(404).getResponseSender().send("Not found\n");
      return;
    }
    GripHeaders.builder().holdStream().channel(CHANNEL).keepAlive(":\n\n", Duration.ofSeconds(20)).build()
        .forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    // The first bytes of the stream; every tick is appended by P8.
    exchange.getResponseSender().send(": ticking\n\n");
  }

  /** Stops ticking. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * Starts the ticker.
   *
   * @param port        the client port, or 0 for any
   * @param controlPort the control API port, or 0 for any
   * @param period      the time between ticks
   * @return the running ticker
   */
  public static ExampleServer start(int port, int controlPort, Duration period) {
    return ExampleServer.start(port, controlPort, publisher -> new SseTicker(publisher, period), "* {origin}");
  }

  /**
   * Runs the ticker on port 7999, one tick a second, until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    ExampleServer ticker = start(P8Server.DEFAULT_PORT, P8Server.DEFAULT_CONTROL_PORT, Duration.ofSeconds(1));
    Runtime.getRuntime().addShutdownHook(new Thread(ticker::close));
    System.out.println("Ticker on " + ticker.url() + "/ticker");
  }
}
