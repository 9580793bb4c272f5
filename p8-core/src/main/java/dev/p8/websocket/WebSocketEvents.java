package dev.p8.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Parses and encodes {@code application/websocket-events} bodies, the wire format of
 * WebSocket-over-HTTP. Each event is {@code NAME[ <hex length>]\r\n[<bytes>\r\n]}:
 *
 * <pre>
 * OPEN\r\n
 * TEXT 5\r\nhello\r\n
 * CLOSE 2\r\n\x03\xe8\r\n
 * </pre>
 *
 * <p>Stateless and thread safe. {@link #parse} returns every event or throws
 * {@link WebSocketEventsException} with the byte offset; it throws nothing else.
 */
public final class WebSocketEvents {

  /** The content type of these bodies. */
  public static final String CONTENT_TYPE = "application/websocket-events";
  /** Default bound on a body: 1,000,000 bytes, as Pushpin's bound on a backend's answer. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1_000_000;

  private static final WebSocketEvent.Type[] TYPES = WebSocketEvent.Type.values();

  private WebSocketEvents() {}

  /**
   * Parses a body of at most {@link #DEFAULT_MAX_BODY_BYTES}.
   *
   * @param body the body; empty means no events
   * @return the events in order
   * @throws WebSocketEventsException naming the problem and its byte offset
   */
  public static List<WebSocketEvent> parse(byte[] body) throws WebSocketEventsException {
    return parse(body, DEFAULT_MAX_BODY_BYTES);
  }

  /**
   * Parses a body.
   *
   * @param body     the body; empty means no events
   * @param maxBytes the largest body, and so the largest single event content, accepted
   * @return the events in order
   * @throws WebSocketEventsException naming the problem and its byte offset
   * @throws IllegalArgumentException if {@code maxBytes} is negative
   * @throws NullPointerException if {@code body} is null
   */
  public static List<WebSocketEvent> parse(byte[] body, int maxBytes) throws WebSocketEventsException {
    Objects.requireNonNull(body, "body");
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
    }
    if (body.length > maxBytes) {
      throw new WebSocketEventsException(maxBytes, "body of " + body.length + " bytes is over the limit of " + maxBytes);
    }
    List<WebSocketEvent> events = new ArrayList<>();
    int pos = 0;
    while (pos < body.length) {
      int lineEnd = indexOfCrlf(body, pos);
      if (lineEnd < 0) {
        throw new WebSocketEventsException(pos, "event line without CRLF");
      }
      int space = indexOf(body, (byte) ' ', pos, lineEnd);
      int nameEnd = space < 0 ? lineEnd : space;
      WebSocketEvent.Type type = type(body, pos, nameEnd);
      if (type == null) {
        throw new WebSocketEventsException(pos, "unknown event name " + hexPreview(body, pos, nameEnd));
      }
      int next = lineEnd + 2;
      byte[] content = null;
      if (space >= 0) {
        if (type == WebSocketEvent.Type.OPEN || type == WebSocketEvent.Type.DISCONNECT) {
          throw new WebSocketEventsException(space, type + " takes no content length");
        }
        long length = hex(body, space + 1, lineEnd);
        if (length < 0) {
          throw new WebSocketEventsException(space + 1,
              "content length " + hexPreview(body, space + 1, lineEnd) + " is not 1 to 8 hexadecimal digits");
        }
        if (length > maxBytes) {
          throw new WebSocketEventsException(space + 1,
              type + " content length of " + length + " bytes is over the limit of " + maxBytes);
        }
        if (length > body.length - next) {
          throw new WebSocketEventsException(next, type + " content of " + length + " bytes runs past the end of the body");
        }
        int end = next + (int) length;
        if (end + 2 > body.length || body[end] != '\r' || body[end + 1] != '\n') {
          throw new WebSocketEventsException(end, type + " content is not followed by CRLF");
        }
        content = Arrays.copyOfRange(body, next, end);
        next = end + 2;
      }
      try {
        events.add(WebSocketEvent.of(type, content));
      } catch (IllegalArgumentException e) {
        throw new WebSocketEventsException(pos, e.getMessage());
      }
      pos = next;
    }
    return events;
  }

  /**
   * Encodes events as Pushpin does: TEXT and BINARY always carry a length (also when empty), the
   * other types only when they have content.
   *
   * @param events the events, in order
   * @return the body
   */
  public static byte[] encode(WebSocketEvent... events) {
    return encode(Arrays.asList(events));
  }

  /**
   * Encodes events; see {@link #encode(WebSocketEvent...)}.
   *
   * @param events the events, in order
   * @return the body
   */
  public static byte[] encode(List<WebSocketEvent> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (WebSocketEvent e : events) {
      byte[] name = e.type().name().getBytes(StandardCharsets.US_ASCII);
      out.write(name, 0, name.length);
      boolean hasContent = e.type() != WebSocketEvent.Type.OPEN && e.type() != WebSocketEvent.Type.DISCONNECT
          && (e.length() > 0 || e.type() == WebSocketEvent.Type.TEXT || e.type() == WebSocketEvent.Type.BINARY);
      if (hasContent) {
        byte[] len = (" " + Integer.toHexString(e.length())).getBytes(StandardCharsets.US_ASCII);
        out.write(len, 0, len.length);
        out.write('\r');
        out.write('\n');
        out.write(e.rawContent(), 0, e.length());
      }
      out.write('\r');
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static WebSocketEvent.Type type(byte[] b, int from, int to) {
    for (WebSocketEvent.Type t : TYPES) {
      String n = t.name();
      if (n.length() == to - from) {
        boolean same = true;
        for (int i = 0; i < n.length(); i++) {
          if (b[from + i] != n.charAt(i)) {
            same = false;
            break;
          }
        }
        if (same) {
          return t;
        }
      }
    }
    return null;
  }

  private static long hex(byte[] b, int from, int to) {
    if (to <= from || to - from > 8) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(b[i], 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static int indexOfCrlf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static String hexPreview(byte[] b, int from, int to) {
    if (to <= from) {
      return "(empty)";
    }
    StringBuilder sb = new StringBuilder("(hex");
    for (int i = from; i < to && i < from + 8; i++) {
      sb.append(' ').append(String.format("%02x", b[i] & 0xFF));
    }
    return sb.append(to - from > 8 ? " ...)" : ")").toString();
  }
}
