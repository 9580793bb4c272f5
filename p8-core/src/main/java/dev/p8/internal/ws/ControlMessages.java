package dev.p8.internal.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Parses GRIP WebSocket control messages (GRIP.md §5.1). Returns a message or throws
 * {@link ControlMessageException}, nothing else. Stateless and thread safe.
 */
public final class ControlMessages {

  /** Most filters one subscription may name. */
  public static final int MAX_FILTERS = 5;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(55);
  private static final Duration DEFAULT_DELAY = Duration.ofSeconds(1);
  private static final long MAX_SECONDS = 365L * 24 * 3600;

  private ControlMessages() {}

  /**
   * Parses the JSON text after {@code c:}.
   *
   * @param json the JSON
   * @return the message
   * @throws ControlMessageException naming the field and why
   */
  public static ControlMessage parse(String json) throws ControlMessageException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (Exception e) {
      throw new ControlMessageException("control message is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new ControlMessageException("control message must be a JSON object");
    }
    JsonNode t = root.get("type");
    if (t == null || !t.isTextual()) {
      throw new ControlMessageException("control message needs a string 'type'");
    }
    String type = t.asText();
    switch (type) {
      case "subscribe" -> {
        List<String> filters = new ArrayList<>();
        JsonNode f = root.get("filters");
        if (f != null && !f.isNull()) {
          if (!f.isArray()) {
            throw new ControlMessageException("subscribe: 'filters' must be a list of strings");
          }
          for (JsonNode n : f) {
            if (!n.isTextual() || n.asText().isEmpty()) {
              throw new ControlMessageException("subscribe: 'filters' must be a list of non-empty strings");
            }
            filters.add(n.asText());
          }
          if (filters.size() > MAX_FILTERS) {
            throw new ControlMessageException("subscribe: " + filters.size() + " filters; at most " + MAX_FILTERS + " are allowed");
          }
        }
        return new ControlMessage.Subscribe(channel(root, type), List.copyOf(filters));
      }
      case "unsubscribe" -> {
        return new ControlMessage.Unsubscribe(channel(root, type));
      }
      case "detach" -> {
        return new ControlMessage.Detach();
      }
      case "keep-alive" -> {
        byte[] content = content(root, type);
        String mode = optionalText(root, "mode", type);
        boolean interval;
        if (mode == null || mode.equals("idle")) {
          interval = false;
        } else if (mode.equals("interval")) {
          interval = true;
        } else {
          throw new ControlMessageException("keep-alive: 'mode' must be idle or interval");
        }
        return new ControlMessage.KeepAlive(content, messageType(root, type), seconds(root, type, DEFAULT_KEEP_ALIVE), interval);
      }
      case "send-delayed" -> {
        byte[] content = content(root, type);
        if (content == null) {
          throw new ControlMessageException("send-delayed: needs 'content' or 'content-bin'");
        }
        return new ControlMessage.SendDelayed(content, messageType(root, type), seconds(root, type, DEFAULT_DELAY));
      }
      case "flush-delayed" -> {
        return new ControlMessage.FlushDelayed();
      }
      case "set-meta" -> {
        String name = optionalText(root, "name", type);
        if (name == null || name.isEmpty()) {
          throw new ControlMessageException("set-meta: 'name' must be a non-empty string");
        }
        return new ControlMessage.SetMeta(name, optionalText(root, "value", type));
      }
      default -> {
        return new ControlMessage.Unknown(type.length() > 40 ? type.substring(0, 40) : type);
      }
    }
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
    String text = optionalText(root, "content", type);
    if (text != null) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    String bin = optionalText(root, "content-bin", type);
    if (bin != null) {
      try {
        return Base64.getDecoder().decode(bin);
      } catch (IllegalArgumentException e) {
        throw new ControlMessageException(type + ": 'content-bin' is not valid base64");
      }
    }
    return null;
  }

  private static ControlMessage.MessageType messageType(JsonNode root, String type) throws ControlMessageException {
    String t = optionalText(root, "message-type", type);
    if (t == null) {
      return ControlMessage.MessageType.TEXT;
    }
    try {
      return ControlMessage.MessageType.valueOf(t.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ControlMessageException(type + ": 'message-type' must be text, binary, ping or pong");
    }
  }

  private static Duration seconds(JsonNode root, String type, Duration dflt) throws ControlMessageException {
    JsonNode n = root.get("timeout");
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > MAX_SECONDS) {
      throw new ControlMessageException(type + ": 'timeout' must be a whole number of seconds from 0 to " + MAX_SECONDS);
    }
    return Duration.ofSeconds(n.asLong());
  }
}
