package dev.p8.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Builds the GRIP control messages a WebSocket backend sends to P8 ({@code c:} and JSON), and
 * data messages with the default prefix, for backends that accepted the GRIP extension
 * ({@code Sec-WebSocket-Extensions: grip}). Over WebSocket-over-HTTP each string goes out as a
 * TEXT event; over a plain WebSocket, as one unfragmented text message:
 *
 * <pre>{@code
 * out.add(WebSocketEvent.text(GripControl.subscribe("room")));
 * out.add(WebSocketEvent.text(GripControl.message("welcome")));
 * }</pre>
 *
 * <p>Stateless and thread safe. Invalid arguments throw {@link IllegalArgumentException} naming
 * the argument and its value.
 */
public final class GripControl {

  /** What starts a control message. */
  public static final String PREFIX = "c:";
  /** What starts a data message unless the backend chose another {@code message-prefix}. */
  public static final String DEFAULT_MESSAGE_PREFIX = "m:";

  /** Most filters one subscription may carry; P8 and Pushpin close the connection beyond it. */
  private static final int MAX_FILTERS = 5;

  private static final ObjectMapper JSON = new ObjectMapper();

  private GripControl() {}

  /**
   * Subscribes the connection to a channel.
   *
   * @param channel the channel, not empty
   * @return the control message
   */
  public static String subscribe(String channel) {
    return subscribe(channel, List.of());
  }

  /**
   * Subscribes the connection to a channel with filters such as {@code skip-self}.
   *
   * @param channel the channel, not empty
   * @param filters at most 5 filter names, none empty; an empty list sends no {@code filters}
   * @return the control message
   */
  public static String subscribe(String channel, List<String> filters) {
    ObjectNode o = control("subscribe");
    o.put("channel", requireChannel(channel));
    Objects.requireNonNull(filters, "filters");
    if (filters.size() > MAX_FILTERS) {
      throw new IllegalArgumentException(
          "filters must hold at most " + MAX_FILTERS + " names, was " + filters.size());
    }
    if (!filters.isEmpty()) {
      ArrayNode f = o.putArray("filters");
      for (String filter : filters) {
        if (filter == null || filter.isEmpty()) {
          throw new IllegalArgumentException("filters must not hold an empty or null name, was " + filters);
        }
        f.add(filter);
      }
    }
    return PREFIX + o;
  }

  /**
   * Unsubscribes the connection from a channel.
   *
   * @param channel the channel, not empty
   * @return the control message
   */
  public static String unsubscribe(String channel) {
    ObjectNode o = control("unsubscribe");
    o.put("channel", requireChannel(channel));
    return PREFIX + o;
  }

  /**
   * Detaches the backend: P8 keeps the client connection but sends the backend nothing more.
   *
   * @return the control message
   */
  public static String detach() {
    return PREFIX + control("detach");
  }

  /**
   * Has P8 send {@code content} as a text message to the client whenever the connection was idle
   * for {@code timeout} (mode {@code idle}).
   *
   * @param content the keep-alive text, sent as is (no message prefix)
   * @param timeout whole seconds, at least 1
   * @return the control message
   */
  public static String keepAlive(String content, Duration timeout) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.getNano() != 0 || timeout.getSeconds() < 1 || timeout.getSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeout must be whole seconds from 1 to " + Integer.MAX_VALUE
          + ", was " + timeout);
    }
    ObjectNode o = control("keep-alive");
    o.put("content", content);
    o.put("timeout", timeout.getSeconds());
    o.put("mode", "idle");
    return PREFIX + o;
  }

  /**
   * Sets connection meta, which filters read ({@code user}, {@code id_format}, ...), or deletes
   * it.
   *
   * @param name  the meta name, not empty
   * @param value the value, or null to delete
   * @return the control message
   */
  public static String setMeta(String name, String value) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must be a non-empty string, was " + quoted(name));
    }
    ObjectNode o = control("set-meta");
    o.put("name", name);
    if (value != null) {
      o.put("value", value);
    }
    return PREFIX + o;
  }

  /**
   * A data message with the default prefix {@code m:}, which P8 strips before the client sees it.
   *
   * @param text the message
   * @return {@code "m:" + text}
   */
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
      throw new IllegalArgumentException("channel must be a non-empty string, was " + quoted(channel));
    }
    return channel;
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
