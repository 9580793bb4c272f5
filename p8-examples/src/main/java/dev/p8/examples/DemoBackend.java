package dev.p8.examples;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.publish.WsMessageFormat;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import dev.p8.websocket.WebSocketEventsException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;

/**
 * The demo's backend: an ordinary request/response handler that answers with GRIP
 * instructions. P8 does the holding; this code never keeps a connection open.
 *
 * <ul>
 *   <li>{@code GET /} — the demo page.
 *   <li>{@code GET /events} — Server-Sent Events: {@code Grip-Hold: stream} on channel {@code demo}.
 *   <li>{@code GET /poll} — a long-poll: {@code Grip-Hold: response} on channel {@code demo}.
 *   <li>{@code POST /send?text=...} — publishes {@code text} to {@code demo} through a Java
 *       {@link Publisher}, as an SSE event, a long-poll response and a WebSocket message.
 *   <li>{@code POST /ws} — a WebSocket chat served over WebSocket-over-HTTP: P8 holds the
 *       client's WebSocket and turns its events into these requests. Opening subscribes the
 *       socket to {@code demo}; a message from one client is published to all.
 * </ul>
 */
public final class DemoBackend implements HttpHandler {

  /** The channel everything in the demo is published on. */
  public static final String CHANNEL = "demo";

  private static final HttpString GRIP_HOLD = HttpString.tryFromString("Grip-Hold");
  private static final HttpString GRIP_CHANNEL = HttpString.tryFromString("Grip-Channel");
  private static final HttpString GRIP_KEEP_ALIVE = HttpString.tryFromString("Grip-Keep-Alive");
  private static final HttpString GRIP_TIMEOUT = HttpString.tryFromString("Grip-Timeout");
  private static final HttpString SEC_WEBSOCKET_EXTENSIONS = HttpString.tryFromString("Sec-WebSocket-Extensions");

  private final Publisher publisher;
  private final byte[] page;

  /**
   * @param publisher where {@code /send} publishes
   */
  public DemoBackend(Publisher publisher) {
    this.publisher = publisher;
    try (InputStream in = DemoBackend.class.getResourceAsStream("demo.html")) {
      if (in == null) {
        throw new IllegalStateException("demo.html is missing from the classpath");
      }
      this.page = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The item that carries {@code text} to every kind of subscriber of the demo channel. */
  public static Item message(String text) {
    String oneLine = text.replace('\r', ' ').replace('\n', ' ');
    return Item.builder(CHANNEL)
        .httpStream(HttpStreamFormat.send("event: message\ndata: " + oneLine + "\n\n"))
        .httpResponse(HttpResponseFormat.builder()
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(oneLine + "\n")
            .build())
        .wsMessage(WsMessageFormat.text(oneLine))
        .build();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    switch (exchange.getRelativePath()) {
      case "/", "/index.html" -> {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(page));
      }
      case "/events" -> {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        exchange.getResponseHeaders().put(GRIP_HOLD, "stream");
        exchange.getResponseHeaders().put(GRIP_CHANNEL, CHANNEL);
        exchange.getResponseHeaders().put(GRIP_KEEP_ALIVE, ":\\n\\n; format=cstring; timeout=20");
        exchange.getResponseSender().send("event: open\ndata: subscribed to channel " + CHANNEL + "\n\n");
      }
      case "/poll" -> {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseHeaders().put(GRIP_HOLD, "response");
        exchange.getResponseHeaders().put(GRIP_CHANNEL, CHANNEL);
        exchange.getResponseHeaders().put(GRIP_TIMEOUT, "20");
        exchange.setStatusCode(204);
        exchange.getResponseSender().send("");
      }
      case "/send" -> send(exchange);
      case "/ws" -> exchange.getRequestReceiver().receiveFullBytes(this::webSocketEvents);
      default -> {
        exchange.setStatusCode(404);
        exchange.getResponseSender().send("Not found\n");
      }
    }
  }

  /** One WebSocket-over-HTTP request: the client's events in, the answer's events out. */
  private void webSocketEvents(HttpServerExchange exchange, byte[] body) {
    List<WebSocketEvent> in;
    try {
      in = WebSocketEvents.parse(body);
    } catch (WebSocketEventsException e) {
      exchange.setStatusCode(400);
      exchange.getResponseSender().send(e.getMessage() + "\n");
      return;
    }
    List<WebSocketEvent> out = new ArrayList<>();
    for (WebSocketEvent event : in) {
      switch (event.type()) {
        case OPEN -> {
          // Accepting the grip extension lets this backend send control messages (c:...).
          exchange.getResponseHeaders().put(SEC_WEBSOCKET_EXTENSIONS, "grip");
          out.add(WebSocketEvent.open());
          out.add(WebSocketEvent.text(GripControl.subscribe(CHANNEL)));
        }
        case TEXT -> publisher.publish(message("(websocket) " + event.text()));
        case CLOSE -> out.add(WebSocketEvent.close(event.closeCode(), ""));
        default -> { }
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(WebSocketEvents.encode(out)));
  }

  private void send(HttpServerExchange exchange) {
    if (!exchange.getRequestMethod().equals(Methods.POST)) {
      exchange.setStatusCode(405);
      exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
      exchange.getResponseSender().send("Use POST\n");
      return;
    }
    Deque<String> text = exchange.getQueryParameters().get("text");
    if (text == null || text.isEmpty() || text.peekFirst().isBlank()) {
      exchange.setStatusCode(400);
      exchange.getResponseSender().send("Give the message as ?text=...\n");
      return;
    }
    publisher.publish(message(text.peekFirst()));
    exchange.getResponseSender().send("Published\n", StandardCharsets.UTF_8);
  }
}
