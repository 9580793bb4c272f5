package dev.p8.undertow.internal;

import dev.p8.grip.GripInstruction;
import dev.p8.internal.hold.ResponseHold;
import dev.p8.internal.hold.StreamHold;
import dev.p8.publish.Header;
import dev.p8.route.Route;
import io.undertow.server.HttpServerExchange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;

/**
 * Pushpin's built-in {@code test} target: a backend inside the proxy, for trying holds with no
 * backend at all. {@code /response} long-polls and {@code /stream} streams the channel named by
 * {@code ?channel=} (default {@code test}); {@code /} answers a greeting and other paths 404.
 */
final class TestTarget {

  private TestTarget() {}

  static void handle(HttpServerExchange exchange, Engine engine, Route route) {
    Deque<String> param = exchange.getQueryParameters().get("channel");
    String channel = route.prefix().orElse("") + (param == null || param.isEmpty() ? "test" : param.peekFirst());
    List<Header> textPlain = List.of(new Header("Content-Type", "text/plain"));
    String path = exchange.getRelativePath();
    HeldExchange held = new HeldExchange(engine, exchange);
    switch (path) {
      case "/response" -> held.start(new ResponseHold(engine.hub(), held, List.of(channel),
          new ResponseHold.KeptResponse(200, null, textPlain, ByteBuffer.allocate(0)),
          GripInstruction.DEFAULT_TIMEOUT, held));
      case "/stream" -> {
        held.beginStream(200, null, textPlain, ByteBuffer.wrap(
            "[stream opened]\n".getBytes(StandardCharsets.UTF_8)));
        held.start(new StreamHold(engine.hub(), held, List.of(channel), null, held));
      }
      case "/" -> HeldExchange.sendWhole(exchange, 200, null, textPlain,
          ByteBuffer.wrap("Hello from the P8 test handler!\n".getBytes(StandardCharsets.UTF_8)));
      default -> HeldExchange.sendWhole(exchange, 404, null, textPlain,
          ByteBuffer.wrap("no such test resource\n".getBytes(StandardCharsets.UTF_8)));
    }
  }
}
