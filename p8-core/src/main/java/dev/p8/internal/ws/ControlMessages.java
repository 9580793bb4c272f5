package dev.p8.internal.ws;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Parses GRIP WebSocket control messages (GRIP.md §5.1), following Pushpin: {@code content-bin}
 * (base64) wins over {@code content}; {@code timeout} is read only when there is content, and 0
 * means the default (55 s keep-alive, 1 s send-delayed); a {@code mode} other than
 * {@code interval} means idle; a send-delayed without content sends an empty message; types
 * other than the known ones (also {@code session}) give {@link ControlMessage.Unknown}.
 *
 * <p>Returns a message or throws {@link ControlMessageException}, nothing else. Stateless and
 * thread safe.
 */
public final class ControlMessages {

  /** Most filters one subscription may name. */
  public static final int MAX_FILTERS = 5;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(55);
  private static final Duration DEFAULT_DELAY = Duration.ofSeconds(1);
  private static final int MAX_UNKNOWN_TYPE_CHARS = 40;

  private ControlMessages() {}

  /**
   * Parses the JSON text after {@code c:}.
   *
   * @param json the JSON
   * @return the message
   * @throws ControlMessageException naming the field and why
   * @throws NullPointerException if {@code json} is null
   */
  public static ControlMessage parse(String json) throws ControlMessageException {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ControlMessageException("control message is not valid JSON"
          + (at == null || at.getCharOffset() < 0 ? "" : " (at character " + at.getCharOffset() + ")"));
    }
    if (root == null || !root.isObject()) {
      throw new ControlMessageException("control message must be a JSON object");
    }
    JsonNode t = root.get("type");
    if (t == null || !t.isTextual()) {
      throw new ControlMessageException("control message needs a string 'type'");
    }
    String type = t.asText();
    return switch (type) {
      case "subscribe" -> new ControlMessage.Subscribe(channel(root, type), filters(root));
      case "unsubscribe" -> new ControlMessage.Unsubscribe(channel(root, type));
      case "detach" -> new ControlMessage.Detach();
      case "flush-delayed" -> new ControlMessage.FlushDelayed();
      case "keep-alive" -> keepAlive(root, type);
      case "send-delayed" -> sendDelayed(root, type);
      case "set-meta" -> {
        String name = optionalText(root, "name", type);
        if (name == null || name.isEmpty()) {
          throw new ControlMessageException("set-meta: 'name' must be a non-empty string");
        }
        yield new ControlMessage.SetMeta(name, optionalText(root, "value", type));
      }
      // Bounded because the caller logs it.
      default -> new ControlMessage.Unknown(
          type.length() > MAX_UNKNOWN_TYPE_CHARS ? type.substring(0, MAX_UNKNOWN_TYPE_CHARS) : type);
    };
  }

  private static ControlMessage keepAlive(JsonNode root, String type) throws ControlMessageException {
    ControlMessage.MessageType messageType = messageType(root, type);
    byte[] content = content(root, type);
    boolean interval = "interval".equals(optionalText(root, "mode", type));
    Duration timeout = content == null ? DEFAULT_KEEP_ALIVE : seconds(root, type, DEFAULT_KEEP_ALIVE);
    return new ControlMessage.KeepAlive(content, messageType, timeout, interval);
  }

  private static ControlMessage sendDelayed(JsonNode root, String type) throws ControlMessageException {
    ControlMessage.MessageType messageType = messageType(root, type);
    byte[] content = content(root, type);
    if (content == null) {
      return new ControlMessage.SendDelayed(new byte[0], messageType, DEFAULT_DELAY);
    }
    return new ControlMessage.SendDelayed(content, messageType, seconds(root, type, DEFAULT_DELAY));
  }

  private static List<String> filters(JsonNode root) throws ControlMessageException {
    JsonNode f = root.get("filters");
    if (f == null || f.isNull()) {
      return List.of();
    }
    if (!f.isArray()) {
      throw new ControlMessageException("subscribe: 'filters' must be a list of strings");
    }
    List<String> filters = new ArrayList<>();
    for (JsonNode n : f) {
      if (!n.isTextual()) {
        throw new ControlMessageException("subscribe: 'filters' must be a list of strings");
      }
      filters.add(n.asText());
    }
    if (filters.size() > MAX_FILTERS) {
      throw new ControlMessageException("subscribe: " + filters.size() + " filters; at most " + MAX_FILTERS
          + " are allowed", true);
    }
    return List.copyOf(filters);
  }

  private static String channel(JsonNode root, String type) throws ControlMessageException {
    String c = optionalText(root, "channel", type);
    if (c == null || c.isEmpty()) {
      throw new ControlMessageException(type + ": 'channel' must be a non-empty string");
    }
    return c;
  }

  private static String optionalText(JsonNode root, String field, String type) throws ControlMessageException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ControlMessageException(type + ": '" + field + "' must be a string");
    }
    return n.asText();
  }

  private static byte[] content(JsonNode root, String type) throws ControlMessageException {
    String bin = optionalText(root, "content-bin", type);
    if (bin != null) {
      try {
        return Base64.getDecoder().decode(bin);
      } catch (IllegalArgumentException e) {
        throw new ControlMessageException(type + ": 'content-bin' is not valid base64");
      }
    }
    String text = optionalText(root, "content", type);
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  private static ControlMessage.MessageType messageType(JsonNode root, String type) throws ControlMessageException {
    String t = optionalText(root, "message-type", type);
    if (t == null) {
      return ControlMessage.MessageType.TEXT;
    }
    return switch (t) {
      case "text" -> ControlMessage.MessageType.TEXT;
      case "binary" -> ControlMessage.MessageType.BINARY;
      case "ping" -> ControlMessage.MessageType.PING;
      case "pong" -> ControlMessage.MessageType.PONG;
      default -> throw new ControlMessageException(type + ": 'message-type' must be text, binary, ping or pong");
    };
  }

  private static Duration seconds(JsonNode root, String type, Duration dflt) throws ControlMessageException {
    JsonNode n = root.get("timeout");
    if (n == null || n.isNull()) {
      return dflt;
    }
    // Pushpin reads an int, so 30.0 is fine but 2.5 and 1e12 are not.
    if (!n.isNumber() || !n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() < 0) {
      throw new ControlMessageException(type + ": 'timeout' must be a whole number of seconds from 0 to "
          + Integer.MAX_VALUE);
    }
    return n.asInt() == 0 ? dflt : Duration.ofSeconds(n.asInt());
  }
}
