package dev.p8.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.p8.internal.patch.JsonPatch;
import dev.p8.internal.tnet.Tnetstring;
import dev.p8.internal.tnet.TnetstringException;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publish items as Pushpin's ZeroMQ inputs carry them.
 *
 * <ul>
 *   <li>PULL ({@code push_in_spec}): one frame, one item with its {@code channel}.
 *   <li>SUB ({@code push_in_sub_specs}): two frames, the channel (the subscription topic) and
 *       the item. A non-empty first frame replaces the item's {@code channel}; an empty one
 *       leaves it to the item.
 * </ul>
 *
 * An item frame is {@code J} followed by a JSON object, {@code T} followed by a tnetstring
 * dictionary, or a bare tnetstring dictionary. The item's fields are those of the control API
 * (see {@link ItemJson}); in a tnetstring every string is a byte string, {@code body} and
 * {@code content} are raw bytes, and so is the WebSocket {@code content-bin}.
 *
 * <p>Error messages start with Pushpin's log wording, {@code received message with invalid
 * format}, and then say what was wrong. Stateless and thread safe.
 */
public final class ZmqItems {

  private static final String INVALID = "received message with invalid format";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ZmqItems() {
  }

  /**
   * Decodes the one frame of a PULL message.
   *
   * @param frame the frame
   * @return the item
   * @throws InvalidPublishException if the frame does not hold a valid item
   */
  public static Item decodePull(byte[] frame) throws InvalidPublishException {
    return decode(frame, null);
  }

  /**
   * Decodes the two frames of a SUB message.
   *
   * @param channel the first frame, the channel as UTF-8; may be empty
   * @param frame   the second frame, the item
   * @return the item, on {@code channel} unless that was empty
   * @throws InvalidPublishException if the frames do not hold a valid item
   */
  public static Item decodeSub(byte[] channel, byte[] frame) throws InvalidPublishException {
    return decode(frame, new String(channel, StandardCharsets.UTF_8));
  }

  private static Item decode(byte[] frame, String channel) throws InvalidPublishException {
    if (frame.length > 0 && frame[0] == 'J') {
      JsonNode root;
      try {
        root = ItemJson.MAPPER.readTree(frame, 1, frame.length - 1);
      } catch (IOException e) {
        throw new InvalidPublishException(INVALID + " (json parse failed)");
      }
      if (root == null || !root.isObject()) {
        throw new InvalidPublishException(INVALID + " (not a valid json object)");
      }
      return new ItemDecoder(INVALID + ": ", false, channel).item(root);
    }
    int from = frame.length > 0 && frame[0] == 'T' ? 1 : 0;
    Object value;
    try {
      value = Tnetstring.withDefaults().decode(frame, from, frame.length);
    } catch (TnetstringException e) {
      throw new InvalidPublishException(INVALID + " (tnetstring parse failed: " + e.getMessage()
          + ")");
    }
    return new ItemDecoder(INVALID + ": ", true, channel).item(tree(value));
  }

  /**
   * Decodes one item of a {@code publish} command's {@code items} list, already decoded from
   * its tnetstring.
   *
   * @param value the decoded list element
   * @param index its position, for messages
   * @return the item
   * @throws InvalidPublishException with text {@code Invalid format: item <index>: <detail>}
   */
  public static Item decodeCommandItem(Object value, int index) throws InvalidPublishException {
    return new ItemDecoder("Invalid format: item " + index + ": ", true, null).item(tree(value));
  }

  /**
   * Turns a decoded tnetstring into the tree {@link ItemDecoder} reads, byte strings as binary
   * nodes. Depth is bounded by the tnetstring decoder.
   */
  static JsonNode tree(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof byte[]) {
      return NODES.binaryNode((byte[]) value);
    }
    if (value instanceof Long) {
      return NODES.numberNode((Long) value);
    }
    if (value instanceof Double) {
      return NODES.numberNode((Double) value);
    }
    if (value instanceof Boolean) {
      return NODES.booleanNode((Boolean) value);
    }
    if (value instanceof Map) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        out.set((String) e.getKey(), tree(e.getValue()));
      }
      return out;
    }
    ArrayNode out = NODES.arrayNode();
    for (Object element : (List<?>) value) {
      out.add(tree(element));
    }
    return out;
  }

  /**
   * Encodes an item as {@code T} and a tnetstring dictionary, the form Pushpin's own tools
   * send.
   *
   * @param item        the item
   * @param withChannel whether to write {@code channel}: true for PULL, false for SUB, where the
   *     channel is the first frame
   * @return the frame
   */
  public static byte[] encodeTnet(Item item, boolean withChannel) {
    byte[] tnet = Tnetstring.encode(toMap(item, withChannel));
    byte[] out = new byte[tnet.length + 1];
    out[0] = 'T';
    System.arraycopy(tnet, 0, out, 1, tnet.length);
    return out;
  }

  /**
   * Encodes an item as {@code J} and a JSON object.
   *
   * @param item        the item
   * @param withChannel whether to write {@code channel}
   * @return the frame
   */
  public static byte[] encodeJson(Item item, boolean withChannel) {
    byte[] json = ItemJson.encodeItem(item, withChannel);
    byte[] out = new byte[json.length + 1];
    out[0] = 'J';
    System.arraycopy(json, 0, out, 1, json.length);
    return out;
  }

  static Map<String, Object> toMap(Item item, boolean withChannel) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (withChannel) {
      out.put("channel", item.channel());
    }
    item.id().ifPresent(id -> out.put("id", id));
    item.prevId().ifPresent(id -> out.put("prev-id", id));
    if (!item.meta().isEmpty()) {
      out.put("meta", new LinkedHashMap<>(item.meta()));
    }
    if (item.noSeq()) {
      out.put("no-seq", true);
    }
    Map<String, Object> formats = new LinkedHashMap<>();
    item.httpResponse().ifPresent(f -> formats.put(ItemJson.HTTP_RESPONSE, httpResponse(f)));
    item.httpStream().ifPresent(f -> formats.put(ItemJson.HTTP_STREAM, httpStream(f)));
    item.wsMessage().ifPresent(f -> formats.put(ItemJson.WS_MESSAGE, wsMessage(f)));
    out.put("formats", formats);
    return out;
  }

  private static Map<String, Object> httpResponse(HttpResponseFormat f) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (f.action() == HttpResponseFormat.Action.HINT) {
      out.put("action", "hint");
      return out;
    }
    out.put("code", (long) f.code());
    f.reason().ifPresent(r -> out.put("reason", r));
    if (!f.headers().isEmpty()) {
      List<Object> headers = new ArrayList<>(f.headers().size());
      for (Header h : f.headers()) {
        headers.add(List.of(h.name(), h.value()));
      }
      out.put("headers", headers);
    }
    if (f.bodyPatch().isPresent()) {
      out.put("body-patch", plain(JsonPatch.parse(f.bodyPatch().get())));
    } else {
      out.put("body", f.body());
    }
    f.contentFilters().ifPresent(names -> out.put("content-filters", List.copyOf(names)));
    return out;
  }

  /** A JSON tree as the maps, lists, strings, numbers and booleans a tnetstring encodes. */
  private static Object plain(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(n -> list.add(plain(n)));
      return list;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return null;
  }

  private static Map<String, Object> httpStream(HttpStreamFormat f) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (f.action()) {
      case SEND:
        out.put("content", f.content());
        f.contentFilters().ifPresent(names -> out.put("content-filters", List.copyOf(names)));
        break;
      case CLOSE:
        out.put("action", "close");
        break;
      default:
        out.put("action", "hint");
        break;
    }
    return out;
  }

  private static Map<String, Object> wsMessage(WsMessageFormat f) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (f.action()) {
      case SEND:
        switch (f.type()) {
          case TEXT:
            out.put("content", f.content());
            break;
          case BINARY:
            out.put("content-bin", f.content());
            break;
          default:
            out.put("type", f.type() == WsMessageFormat.Type.PING ? "ping" : "pong");
            out.put("content-bin", f.content());
            break;
        }
        f.contentFilters().ifPresent(names -> out.put("content-filters", List.copyOf(names)));
        break;
      case CLOSE:
        out.put("action", "close");
        f.closeCode().ifPresent(code -> out.put("code", (long) code));
        f.closeReason().ifPresent(reason -> out.put("reason", reason));
        break;
      case REFRESH:
        out.put("action", "refresh");
        break;
      default:
        out.put("action", "hint");
        break;
    }
    return out;
  }
}
