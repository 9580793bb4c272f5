package dev.p8.undertow.internal;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Pushpin's {@code client_buffer_size}: a request line and headers that do not fit get 400
 * with condure's text, and the connection is closed.
 *
 * <p>Undertow's own header limit closes the socket without a word, and counts every byte read
 * until the head is complete, body bytes of the same read included. So P8 sets Undertow's
 * limit to this one plus {@link #HEADROOM} (which no head within the limit can reach) and
 * measures the head itself here. Heads past even that are still cut off by Undertow.
 */
public final class RequestHead {

  /** At least one read buffer: the bytes Undertow may read past a head that fits. */
  static final int HEADROOM = 64 * 1024;

  private RequestHead() {}

  /**
   * Undertow's {@code MAX_HEADER_SIZE} for a {@code client_buffer_size} of {@code limit}.
   *
   * @param limit the request head limit in bytes
   * @return the value for Undertow
   */
  public static int undertowLimit(int limit) {
    return (int) Math.min(Integer.MAX_VALUE, (long) limit + HEADROOM);
  }

  /**
   * The size of the request's head as it came on the wire, taking each header as
   * {@code Name: value} (a sender's odd spacing is not kept by the parser).
   */
  static long size(HttpServerExchange exchange) {
    long n = exchange.getRequestMethod().length() + 1 + exchange.getRequestURI().length() + 1
        + exchange.getProtocol().length() + 2;
    String query = exchange.getQueryString();
    if (query != null && !query.isEmpty()) {
      n += 1 + query.length();
    }
    for (HeaderValues values : exchange.getRequestHeaders()) {
      int name = values.getHeaderName().length();
      for (String value : values) {
        n += name + 2 + value.length() + 2;
      }
    }
    return n + 2;
  }

  /**
   * Answers 400 and closes the connection when the head is over {@code limit}.
   *
   * @return true when it answered
   */
  static boolean refuseIfTooLarge(HttpServerExchange exchange, int limit) {
    if (size(exchange) <= limit) {
      return false;
    }
    byte[] body = ("Request header size exceeded limit of " + limit + " bytes.\n")
        .getBytes(StandardCharsets.US_ASCII);
    exchange.setPersistent(false);
    exchange.setStatusCode(400);
    exchange.getResponseHeaders().clear();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
    return true;
  }
}
