package dev.p8.undertow.internal;

import dev.p8.internal.publish.InvalidPublishException;
import dev.p8.internal.publish.ItemJson;
import dev.p8.publish.Item;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API, with Pushpin's paths, status codes and messages (GRIP.md §3.2):
 * {@code POST /publish} takes {@code {"items": [...]}}; a trailing slash is ignored. Answers
 * are {@code text/plain} with a trailing newline; a success is {@code {"message": ...}} JSON
 * when the client's {@code Accept} prefers JSON. Errors stay plain text, as Pushpin's do.
 */
final class ControlHandler implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);

  private final Engine engine;

  ControlHandler(Engine engine) {
    this.engine = engine;
  }

  private enum Format { TEXT, JSON }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Format format = negotiate(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
    if (format == null) {
      answer(exchange, Format.TEXT, 406, "Not Acceptable. Supported formats are text/plain and application/json.", false);
      return;
    }
    String path = exchange.getRelativePath();
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    switch (path) {
      case "", "/" -> answer(exchange, format, 200, "P8 API", true);
      case "/publish" -> publish(exchange, format);
      default -> answer(exchange, format, 404, "Not Found", false);
    }
  }

  private void publish(HttpServerExchange exchange, Format format) {
    if (!exchange.getRequestMethod().equals(Methods.POST)) {
      exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
      answer(exchange, format, 405, "Method not allowed: " + exchange.getRequestMethod() + ".", false);
      return;
    }
    int limit = engine.config().limits().maxPublishBodyBytes();
    long declared = exchange.getRequestContentLength();
    if (declared > limit) {
      answer(exchange, format, 400, "Request body too large.", false);
      log.warn("publish refused: body of {} bytes is over the limit of {} (Limits.maxPublishBodyBytes, push_in_http_max_body_size)",
          declared, limit);
      return;
    }
    exchange.getRequestReceiver().setMaxBufferSize(limit);
    exchange.getRequestReceiver().receiveFullBytes(
        (ex, body) -> publishBody(ex, format, body),
        (ex, e) -> receiveFailed(ex, format, e, limit));
  }

  private void receiveFailed(HttpServerExchange exchange, Format format, IOException e, int limit) {
    if (e instanceof RequestTooBigException) {
      log.warn("publish refused: body over the limit of {} bytes (Limits.maxPublishBodyBytes, push_in_http_max_body_size)", limit);
      answer(exchange, format, 400, "Request body too large.", false);
    } else {
      log.debug("publish body could not be read", e);
      exchange.endExchange();
    }
  }

  private void publishBody(HttpServerExchange exchange, Format format, byte[] body) {
    List<Item> items;
    try {
      items = ItemJson.decodeItems(body);
    } catch (InvalidPublishException e) {
      answer(exchange, format, 400, e.getMessage(), false);
      return;
    }
    StringBuilder reach = new StringBuilder();
    for (Item item : items) {
      int reached = engine.publish(item);
      reach.append(reach.length() == 0 ? "" : ",").append("{\"channel\":\"").append(jsonEscape(item.channel()))
          .append(reached < 0 ? "\",\"waiting\":true}" : "\",\"reached\":" + reached + "}");
    }
    log.debug("published {} item(s)", items.size());
    if (format == Format.JSON) {
      // Past Pushpin's answer: per item, how many connections it reached at once.
      send(exchange, 200, "application/json", "{\"message\":\"Published\",\"items\":[" + reach + "]}\n");
    } else {
      answer(exchange, format, 200, "Published", true);
    }
  }

  private static Format negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return Format.TEXT;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    boolean json = a.contains("application/json") || a.contains("application/*");
    boolean text = a.contains("text/plain") || a.contains("text/*") || a.contains("*/*");
    if (json && !a.contains("text/plain")) {
      return Format.JSON;
    }
    if (text) {
      return Format.TEXT;
    }
    return json ? Format.JSON : null;
  }

  private static void answer(HttpServerExchange exchange, Format format, int code, String message, boolean ok) {
    if (format == Format.JSON && ok) {
      send(exchange, code, "application/json", "{\"message\":\"" + jsonEscape(message) + "\"}\n");
    } else {
      send(exchange, code, "text/plain", message + "\n");
    }
  }

  private static void send(HttpServerExchange exchange, int code, String type, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(code);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
