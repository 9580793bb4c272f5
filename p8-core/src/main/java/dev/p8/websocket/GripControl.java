package dev.p8.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Builds the GRIP control messages a WebSocket backend sends to P8 ({@code c:} and JSON), and
 * data messages with the default prefix. For backends that accepted the GRIP extension
 * ({@code Sec-WebSocket-Extensions: grip}):
 *
 * <pre>{@code
 * out.add(WebSocketEvent.text(GripControl.subscribe("room")));
 * out.add(WebSocketEvent.text(GripControl.message("welcome")));
 * }</pre>
 *
 * <p>Stateless and thread safe.
 */
public final class GripControl {

  /** What starts a control message. */
  public static final String PREFIX = "c:";
  /** What starts a data message unless the backend chose another {@code message-prefix}. */
  public static final String DEFAULT_MESSAGE_PREFIX = "m:";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GripControl() {}

  /** Subscribes the connection to a channel. */
  public static String subscribe(String channel) {
    return subscribe(channel, List.of());
  }

  /** Subscribes the connection to a channel with filters (at most 5). */
  public static String subscribe(String channel, List<String> filters) {
    ObjectNode o = control("subscribe");
    o.put("channel", requireChannel(channel));
    if (!filters.isEmpty()) {
      ArrayNode f = o.putArray("filters");
      filters.forEach(f::add);
    }
    return PREFIX + o;
  }

  /** Unsubscribes the connection from a channel. */
  public static String unsubscribe(String channel) {
    ObjectNode o = control("unsubscribe");
    o.put("channel", requireChannel(channel));
    return PREFIX + o;
  }

  /** Detaches the backend: P8 keeps the client but sends the backend nothing more. */
  public static String detach() {
    return PREFIX + control("detach");
  }

  /** Has P8 send {@code content} as a text message whenever the client was idle for {@code timeout}. */
  public static String keepAlive(String content, Duration timeout) {
    ObjectNode o = control("keep-alive");
    o.put("content", Objects.requireNonNull(content, "content"));
    o.put("timeout", timeout.toSeconds());
    return PREFIX + o;
  }

  /** Sets connection meta, or deletes it when {@code value} is null. */
  public static String setMeta(String name, String value) {
    ObjectNode o = control("set-meta");
    o.put("name", Objects.requireNonNull(name, "name"));
    if (value != null) {
      o.put("value", value);
    }
    return PREFIX + o;
  }

  /** A data message with the default prefix. */
  public static String message(String text) {
    return DEFAULT_MESSAGE_PREFIX + Objects.requireNonNull(text, "text");
  }

  private static ObjectNode control(String type) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", type);
    return o;
  }

  private static String requireChannel(String channel) {
    if (channel == null || channel.isEmpty()) {
      throw new IllegalArgumentException("channel must not be empty");
    }
    return channel;
  }
}
