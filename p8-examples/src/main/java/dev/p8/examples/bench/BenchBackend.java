package dev.p8.examples.bench;

import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import dev.p8.websocket.WebSocketEventsException;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The backend both proxies talk to in {@link Compare}: the same few GRIP answers for P8 and for
 * Pushpin, so that the only difference measured is the proxy. It runs in the load generator's
 * JVM, whose CPU is not counted.
 *
 * <ul>
 *   <li>{@code GET /stream?channel=C}: a stream hold on C, opened with {@code [stream opened]}.
 *   <li>{@code GET /poll?channel=C&after=N}: the messages of C after N at once if there are any,
 *       else a response hold on C with the newest id as its {@code prev-id} (what a lossless
 *       long-poll backend does: a message published between this answer and the hold's
 *       subscription makes the proxy ask again).
 *   <li>{@code GET /pass}: a small ordinary response.
 *   <li>{@code POST /ws}: WebSocket-over-HTTP that echoes every text message.
 * </ul>
 */
final class BenchBackend implements AutoCloseable {

  private static final HttpString GRIP_HOLD = HttpString.tryFromString("Grip-Hold");
  private static final HttpString GRIP_CHANNEL = HttpString.tryFromString("Grip-Channel");
  private static final HttpString GRIP_TIMEOUT = HttpString.tryFromString("Grip-Timeout");
  private static final ByteBuffer PASS_BODY =
      ByteBuffer.wrap("pass-through response\n".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();

  private final Undertow server;
  /** Long-poll history: per channel, the numbered messages published so far. */
  private final ConcurrentHashMap<String, Deque<Long>> history = new ConcurrentHashMap<>();

  BenchBackend() {
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(2)
        .setHandler(this::handle).build();
    server.start();
  }

  int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Records a long-poll message before it is published to the proxy. */
  void remember(String channel, long id) {
    history.computeIfAbsent(channel, c -> new ConcurrentLinkedDeque<>()).add(id);
  }

  void forget() {
    history.clear();
  }

  private void handle(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRequestPath();
    switch (path) {
      case "/pass" -> {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(PASS_BODY.duplicate());
      }
      case "/stream" -> {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain")
            .put(GRIP_HOLD, "stream").put(GRIP_CHANNEL, param(exchange, "channel"));
        exchange.getResponseSender().send("[stream opened]\n");
      }
      case "/poll" -> poll(exchange);
      case "/ws" -> {
        if (exchange.isInIoThread()) {
          exchange.dispatch(this::handle);
          return;
        }
        exchange.startBlocking();
        webSocketOverHttp(exchange, exchange.getInputStream().readAllBytes());
      }
      default -> {
        exchange.setStatusCode(404);
        exchange.endExchange();
      }
    }
  }

  private void poll(HttpServerExchange exchange) {
    String channel = param(exchange, "channel");
    long after = Long.parseLong(param(exchange, "after"));
    StringBuilder body = new StringBuilder();
    Deque<Long> ids = history.get(channel);
    if (ids != null) {
      for (long id : ids) {
        if (id > after) {
          body.append("msg ").append(id).append('\n');
        }
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
    if (body.length() == 0) {
      // The newest id this answer knows of: a message published before the hold subscribes
      // is then noticed by the proxy, which asks again (Grip-Last), instead of being missed.
      Long last = ids == null ? null : ids.peekLast();
      exchange.getResponseHeaders().put(GRIP_HOLD, "response")
          .put(GRIP_CHANNEL, last == null ? channel : channel + "; prev-id=" + last)
          .put(GRIP_TIMEOUT, "60");
      exchange.getResponseSender().send("timeout\n");
    } else {
      exchange.getResponseSender().send(body.toString());
    }
  }

  private static void webSocketOverHttp(HttpServerExchange exchange, byte[] body)
      throws WebSocketEventsException {
    List<WebSocketEvent> out = new ArrayList<>();
    for (WebSocketEvent event : WebSocketEvents.parse(body)) {
      switch (event.type()) {
        case OPEN, CLOSE, TEXT -> out.add(event);
        default -> { }
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    exchange.getResponseSender().send(ByteBuffer.wrap(WebSocketEvents.encode(out)));
  }

  private static String param(HttpServerExchange exchange, String name) {
    Deque<String> values = exchange.getQueryParameters().get(name);
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("missing query parameter " + name);
    }
    return values.getFirst();
  }

  @Override
  public void close() {
    server.stop();
  }
}
