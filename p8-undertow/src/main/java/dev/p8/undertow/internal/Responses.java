package dev.p8.undertow.internal;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.IoUtils;

/** Plain-text answers in Pushpin's form: {@code text/plain} (no charset, as Pushpin), the message and a newline. */
final class Responses {

  private Responses() {}

  static void text(HttpServerExchange exchange, int code, String message) {
    if (exchange.isResponseStarted()) {
      // Too late for a status line: the only honest signal left is to cut the connection.
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(code);
    exchange.getResponseHeaders().clear();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
