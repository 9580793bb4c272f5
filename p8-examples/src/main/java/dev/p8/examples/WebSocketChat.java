package dev.p8.examples;

import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import dev.p8.websocket.WebSocketEventsException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket chat whose backend speaks plain HTTP (WebSocket-over-HTTP): P8 keeps the
 * client's WebSocket open and turns what happens on it into {@code POST /chat} requests of
 * {@value WebSocketEvents#CONTENT_TYPE}. Opening subscribes the socket to channel
 * {@code room}; each text message is published to everybody in it.
 *
 * <pre>websocat ws://localhost:7999/chat</pre>
 */
public final class WebSocketChat {

  /** The channel every socket joins. */
  public static final String CHANNEL = "room";

  private WebSocketChat() {}

  /**
   * The chat backend.
   *
   * @param publisher where messages are published
   * @return the handler
   */
  public static HttpHandler backend(Publisher publisher) {
    return exchange -> exchange.getRequestReceiver().receiveFullBytes(
        (ex, body) -> events(ex, body, publisher));
  }

  private static void events(HttpServerExchange exchange, byte[] body, Publisher publisher) {
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
          // Accepting the grip extension lets the backend send control messages (c:...).
          exchange.getResponseHeaders().put(HttpString.tryFromString("Sec-WebSocket-Extensions"), "grip");
          out.add(WebSocketEvent.open());
          out.add(WebSocketEvent.text(GripControl.subscribe(CHANNEL)));
        }
        case TEXT -> publisher.publish(Item.message(CHANNEL, event.text()));
        case CLOSE -> out.add(WebSocketEvent.close(event.closeCode(), ""));
        default -> { }
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    exchange.getResponseSender().send(ByteBuffer.wrap(WebSocketEvents.encode(out)));
  }

  /**
   * Starts the chat.
   *
   * @param port        the client port, or 0 for any
   * @param controlPort the control API port, or 0 for any
   * @return the running chat
   */
  public static ExampleServer start(int port, int controlPort) {
    return ExampleServer.start(port, controlPort, WebSocketChat::backend, "* {origin},over_http");
  }

  /**
   * Runs the chat on port 7999 until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    ExampleServer chat = start(P8Server.DEFAULT_PORT, P8Server.DEFAULT_CONTROL_PORT);
    Runtime.getRuntime().addShutdownHook(new Thread(chat::close));
    System.out.println("WebSocket chat on ws://127.0.0.1:" + chat.proxy().port() + "/chat");
  }
}
