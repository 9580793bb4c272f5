package dev.p8.examples;

import dev.p8.backend.GripHeaders;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.publish.WsMessageFormat;
import dev.p8.undertow.P8Server;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One process, one port, no backend socket: P8 routes every request to this application's
 * handler in the same JVM, and the handler answers with GRIP instructions as a separate
 * backend would.
 *
 * <ul>
 *   <li>{@code GET /} — an ordinary page, passed through.
 *   <li>{@code GET /events} — Server-Sent Events held on channel {@code news}.
 *   <li>{@code GET /poll} — a long-poll held on {@code news}.
 *   <li>{@code ws://.../ws} — a WebSocket (WebSocket-over-HTTP to this handler) joined to
 *       {@code news}; what it sends is published.
 *   <li>{@code POST /say} — publishes its body to {@code news}, reaching all three.
 * </ul>
 *
 * <pre>curl -N http://localhost:7999/events &amp; curl -d hello http://localhost:7999/say</pre>
 */
public final class InProcessOrigin implements HttpHandler {

  /** The channel everything joins. */
  public static final String CHANNEL = "news";

  private final Publisher publisher;

  private InProcessOrigin(Publisher publisher) {
    this.publisher = publisher;
  }

  /**
   * Starts P8 with this application as its in-process origin.
   *
   * @param port the client port on 127.0.0.1, or 0 for any
   * @return the running server
   */
  public static P8Server start(int port) {
    P8Server.Builder builder = P8Server.builder();
    // The handler exists before the server; the builder's publisher works once it is built.
    InProcessOrigin app = new InProcessOrigin(builder.publisher());
    return builder
        .listen("127.0.0.1", port)
        .noControlListener()
        .route("*", app)  // in-process: P8 calls app on a worker thread, no socket in between
        .build()
        .start();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    switch (exchange.getRequestPath()) {
      case "/" -> exchange.getResponseSender().send("The application's own page\n");
      case "/events" -> {
        grip(exchange, GripHeaders.builder().holdStream().channel(CHANNEL).build());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        exchange.getResponseSender().send(": open\n\n");
      }
      case "/poll" -> {
        grip(exchange, GripHeaders.builder().holdResponse().channel(CHANNEL).build());
        exchange.getResponseSender().send("nothing yet\n");
      }
      case "/ws" -> exchange.getRequestReceiver().receiveFullBytes(this::webSocketEvents);
      case "/say" -> {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
          exchange.setStatusCode(405).getResponseSender().send("Use POST\n");
          return;
        }
        // Handlers run on a worker thread, so plain blocking I/O is fine here.
        exchange.startBlocking();
        say(new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        exchange.getResponseSender().send("Published\n");
      }
      default -> exchange.setStatusCode(404).getResponseSender().send("Not found\n");
    }
  }

  private void webSocketEvents(HttpServerExchange exchange, byte[] body) {
    List<WebSocketEvent> in;
    try {
      in = WebSocketEvents.parse(body);
    } catch (WebSocketEventsException e) {
      exchange.setStatusCode(400).getResponseSender().send(e.getMessage());
      return;
    }
    List<WebSocketEvent> out = new ArrayList<>();
    for (WebSocketEvent event : in) {
      switch (event.type()) {
        case OPEN -> {
          exchange.getResponseHeaders().put(HttpString.tryFromString("Sec-WebSocket-Extensions"), "grip");
          out.add(WebSocketEvent.open());
          out.add(WebSocketEvent.text(GripControl.subscribe(CHANNEL)));
        }
        case TEXT -> say(event.text());
        case CLOSE -> out.add(WebSocketEvent.close(event.closeCode(), ""));
        default -> { }
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    exchange.getResponseSender().send(ByteBuffer.wrap(WebSocketEvents.encode(out)));
  }

  /** One item, in the form each kind of subscriber takes. */
  private void say(String text) {
    publisher.publish(Item.builder(CHANNEL)
        .httpStream(HttpStreamFormat.send("data: " + text + "\n\n"))
        .httpResponse(HttpResponseFormat.of(200, text + "\n"))
        .wsMessage(WsMessageFormat.text(text))
        .build());
  }

  private static void grip(HttpServerExchange exchange, GripHeaders headers) {
    headers.forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
  }

  /**
   * Runs on port 7999 until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    P8Server p8 = start(P8Server.DEFAULT_PORT);
    Runtime.getRuntime().addShutdownHook(new Thread(p8::close));
    System.out.println("Application with P8 on " + p8.url());
  }
}
