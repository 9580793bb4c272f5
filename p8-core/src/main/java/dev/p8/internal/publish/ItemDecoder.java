package dev.p8.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.p8.internal.patch.JsonPatch;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Decodes one item object for {@link ItemJson} and {@link ZmqItems}, following Pushpin's rules
 * and wording. Carries the prefix for the messages, for JSON the item's position. Used once per
 * item; not thread safe.
 *
 * <p>Items that came as tnetstrings arrive as trees whose strings are all
 * {@link BinaryNode}s. For those, string fields are decoded
 * as UTF-8, {@code body}, {@code content} and the WebSocket {@code content-bin} are taken as raw
 * bytes, and the base64 fields {@code body-bin} and the HTTP {@code content-bin} are ignored,
 * all as Pushpin does.
 */
final class ItemDecoder {

  private static final String ITEM = "publish item object";
  private static final int MAX_QUOTED_NAME = 64;

  private final String prefix;
  private final boolean tnet;
  private final String channel;

  ItemDecoder(int index) {
    this("Invalid format: item " + index + ": ", false, null);
  }

  /**
   * A decoder for one item.
   *
   * @param prefix  put in front of every error message
   * @param tnet    whether the tree came from a tnetstring
   * @param channel the channel from a SUB socket's first frame, which replaces the item's own;
   *     null or empty to read the item's {@code channel}
   */
  ItemDecoder(String prefix, boolean tnet, String channel) {
    this.prefix = prefix;
    this.tnet = tnet;
    this.channel = channel == null || channel.isEmpty() ? null : channel;
  }

  Item item(JsonNode node) throws InvalidPublishException {
    if (node == null || !node.isObject()) {
      throw fail(ITEM + " is not an object");
    }
    String channelName = channel;
    if (channelName == null) {
      JsonNode channelNode = node.get("channel");
      if (channelNode == null) {
        throw fail(ITEM + " does not contain 'channel'");
      }
      if (!isString(channelNode)) {
        throw wrongType(ITEM, "channel");
      }
      channelName = string(channelNode);
      if (channelName.isEmpty()) {
        throw fail(ITEM + " contains 'channel' with empty value");
      }
    }
    Item.Builder b = Item.builder(channelName);
    b.id(optionalString(node, ITEM, "id"));
    b.prevId(optionalString(node, ITEM, "prev-id"));

    JsonNode formats = value(node, "formats");
    if (formats != null && !formats.isObject()) {
      throw wrongType(ITEM, "formats");
    }
    // Without "formats", the legacy layout puts the format objects on the item itself.
    JsonNode holder = formats != null ? formats : node;
    JsonNode response = value(holder, ItemJson.HTTP_RESPONSE);
    JsonNode stream = value(holder, ItemJson.HTTP_STREAM);
    JsonNode ws = value(holder, ItemJson.WS_MESSAGE);
    if (response == null && stream == null && ws == null) {
      throw fail("no formats specified");
    }
    if (response != null) {
      b.httpResponse(httpResponse(response));
    }
    if (stream != null) {
      b.httpStream(httpStream(stream));
    }
    if (ws != null) {
      b.wsMessage(wsMessage(ws));
    }

    JsonNode meta = value(node, "meta");
    if (meta != null) {
      if (!meta.isObject()) {
        throw wrongType(ITEM, "meta");
      }
      int position = 0;
      for (Map.Entry<String, JsonNode> e : meta.properties()) {
        if (!isString(e.getValue())) {
          throw fail("'meta' contains " + describeKey(e.getKey(), position)
              + " with wrong type");
        }
        b.meta(e.getKey(), string(e.getValue()));
        position++;
      }
    }
    JsonNode size = value(node, "size");
    if (size != null) {
      integer(size, ITEM, "size", 0, Integer.MAX_VALUE);
    }
    JsonNode noSeq = value(node, "no-seq");
    if (noSeq != null) {
      if (!noSeq.isBoolean()) {
        throw wrongType(ITEM, "no-seq");
      }
      b.noSeq(noSeq.booleanValue());
    }
    return b.build();
  }

  private HttpResponseFormat httpResponse(JsonNode in) throws InvalidPublishException {
    String pn = "'" + ItemJson.HTTP_RESPONSE + "'";
    String action = action(in, pn);
    if ("hint".equals(action)) {
      return HttpResponseFormat.builder().action(HttpResponseFormat.Action.HINT).build();
    }
    if (!"send".equals(action)) {
      throw unsupportedAction(pn, action);
    }
    HttpResponseFormat.Builder b = HttpResponseFormat.builder();
    JsonNode code = value(in, "code");
    if (code != null) {
      b.code((int) integer(code, pn, "code", 0, 999));
    }
    String reason = optionalString(in, pn, "reason");
    if (reason != null) {
      if (!FieldSyntax.isFieldText(reason)) {
        throw invalidValue(pn, "reason");
      }
      b.reason(reason);
    }
    JsonNode headers = value(in, "headers");
    if (headers != null) {
      b.headers(headers(headers, pn));
    }
    List<String> filters = contentFilters(in, pn);
    if (filters != null) {
      b.contentFilters(filters);
    }
    JsonNode bodyBin = tnet ? null : value(in, "body-bin");
    JsonNode body = value(in, "body");
    JsonNode bodyPatch = value(in, "body-patch");
    if (bodyBin != null) {
      b.body(base64(bodyBin, pn, "body-bin"));
    } else if (body != null) {
      if (body.isBinary()) {
        b.body(binary(body));
      } else if (body.isTextual()) {
        b.body(body.textValue());
      } else {
        throw wrongType(pn, "body");
      }
    } else if (bodyPatch != null) {
      if (!bodyPatch.isArray()) {
        throw wrongType(pn, "body-patch");
      }
      b.bodyPatch(JsonPatch.toText(tnet ? textual(bodyPatch) : bodyPatch));
    } else if (tnet) {
      throw fail(pn + " does not contain 'body' or 'body-patch'");
    } else {
      throw fail(pn + " does not contain 'body', 'body-bin', or 'body-patch'");
    }
    return b.build();
  }

  /** A tnetstring tree with its byte strings read as UTF-8 text, so a patch reads as JSON. */
  private static JsonNode textual(JsonNode node) {
    if (node.isBinary()) {
      return TextNode.valueOf(
          new String(((BinaryNode) node).binaryValue(), StandardCharsets.UTF_8));
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> out.add(textual(n)));
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> out.set(e.getKey(), textual(e.getValue())));
      return out;
    }
    return node;
  }

  private List<Header> headers(JsonNode headers, String pn) throws InvalidPublishException {
    List<Header> out = new ArrayList<>(headers.size());
    if (headers.isArray()) {
      for (int i = 0; i < headers.size(); i++) {
        JsonNode pair = headers.get(i);
        if (!pair.isArray()) {
          throw fail(pn + " headers contains element " + i + " with wrong type");
        }
        if (pair.size() != 2) {
          throw fail(pn + " headers contains list " + i + " with wrong number of elements");
        }
        if (!isString(pair.get(0))) {
          throw fail(pn + " header " + i + " contains name element with wrong type");
        }
        if (!isString(pair.get(1))) {
          throw fail(pn + " header " + i + " contains value element with wrong type");
        }
        String name = string(pair.get(0));
        String value = string(pair.get(1));
        if (!FieldSyntax.isToken(name)) {
          throw fail(pn + " header " + i + " contains name element with invalid value");
        }
        if (!FieldSyntax.isFieldText(value)) {
          throw fail(pn + " header " + i + " contains value element with invalid value");
        }
        out.add(new Header(name, value));
      }
    } else if (headers.isObject()) {
      int position = 0;
      for (Map.Entry<String, JsonNode> e : headers.properties()) {
        String name = e.getKey();
        if (!FieldSyntax.isToken(name)) {
          throw fail(pn + " headers contains entry " + position + " with invalid name");
        }
        if (!isString(e.getValue())) {
          throw fail(pn + " headers contains " + describeKey(name, position)
              + " with wrong type");
        }
        String value = string(e.getValue());
        if (!FieldSyntax.isFieldText(value)) {
          throw fail(pn + " headers contains " + describeKey(name, position)
              + " with invalid value");
        }
        out.add(new Header(name, value));
        position++;
      }
    } else {
      throw wrongType(pn, "headers");
    }
    return out;
  }

  private HttpStreamFormat httpStream(JsonNode in) throws InvalidPublishException {
    String pn = "'" + ItemJson.HTTP_STREAM + "'";
    String action = action(in, pn);
    switch (action) {
      case "hint":
        return HttpStreamFormat.hint();
      case "close":
        return HttpStreamFormat.close();
      case "send":
        break;
      default:
        throw unsupportedAction(pn, action);
    }
    List<String> filters = contentFilters(in, pn);
    HttpStreamFormat f = streamContent(in, pn);
    return filters == null ? f : f.withContentFilters(filters);
  }

  private HttpStreamFormat streamContent(JsonNode in, String pn) throws InvalidPublishException {
    JsonNode contentBin = tnet ? null : value(in, "content-bin");
    JsonNode content = value(in, "content");
    if (contentBin != null) {
      return HttpStreamFormat.send(base64(contentBin, pn, "content-bin"));
    }
    if (content != null) {
      if (content.isBinary()) {
        return HttpStreamFormat.send(binary(content));
      }
      if (!content.isTextual()) {
        throw wrongType(pn, "content");
      }
      return HttpStreamFormat.send(content.textValue());
    }
    if (tnet) {
      throw fail(pn + " does not contain 'content'");
    }
    throw fail(pn + " does not contain 'content' or 'content-bin'");
  }

  private WsMessageFormat wsMessage(JsonNode in) throws InvalidPublishException {
    String pn = "'" + ItemJson.WS_MESSAGE + "'";
    String action = action(in, pn);
    switch (action) {
      case "hint":
        return WsMessageFormat.hint();
      case "refresh":
        return WsMessageFormat.refresh();
      case "close":
        return wsClose(in, pn);
      default:
        break;
    }
    String typeName = optionalString(in, pn, "type");
    WsMessageFormat.Type type = null;
    if (typeName != null) {
      switch (typeName) {
        case "text":
          type = WsMessageFormat.Type.TEXT;
          break;
        case "binary":
          type = WsMessageFormat.Type.BINARY;
          break;
        case "ping":
          type = WsMessageFormat.Type.PING;
          break;
        case "pong":
          type = WsMessageFormat.Type.PONG;
          break;
        default:
          throw fail(pn + " contains 'type' with unknown value");
      }
    }
    List<String> filters = contentFilters(in, pn);
    WsMessageFormat f = messageContent(in, pn, type);
    return filters == null ? f : f.withContentFilters(filters);
  }

  private WsMessageFormat messageContent(JsonNode in, String pn, WsMessageFormat.Type type)
      throws InvalidPublishException {
    JsonNode contentBin = value(in, "content-bin");
    JsonNode content = value(in, "content");
    if (contentBin != null) {
      byte[] bytes;
      if (tnet) {
        if (!contentBin.isBinary()) {
          throw wrongType(pn, "content-bin");
        }
        bytes = binary(contentBin);
      } else {
        bytes = base64(contentBin, pn, "content-bin");
      }
      return WsMessageFormat.send(type == null ? WsMessageFormat.Type.BINARY : type, bytes);
    }
    if (content != null) {
      byte[] bytes;
      if (content.isBinary()) {
        bytes = binary(content);
      } else if (content.isTextual()) {
        bytes = content.textValue().getBytes(StandardCharsets.UTF_8);
      } else {
        throw wrongType(pn, "content");
      }
      return WsMessageFormat.send(type == null ? WsMessageFormat.Type.TEXT : type, bytes);
    }
    if (type == WsMessageFormat.Type.PING || type == WsMessageFormat.Type.PONG) {
      return WsMessageFormat.send(type, new byte[0]);
    }
    throw fail(pn + " does not contain 'content' or 'content-bin'");
  }

  private WsMessageFormat wsClose(JsonNode in, String pn) throws InvalidPublishException {
    JsonNode code = value(in, "code");
    String reason = optionalString(in, pn, "reason");
    if (code == null) {
      // A close frame can carry a reason only after a code, so a lone reason is dropped.
      return WsMessageFormat.close();
    }
    return WsMessageFormat.close(
        (int) integer(code, pn, "code", 0, WsMessageFormat.MAX_CLOSE_CODE), reason);
  }

  /** Returns the action name, "send" when absent. */
  private String action(JsonNode in, String pn) throws InvalidPublishException {
    if (!in.isObject()) {
      throw fail(pn + " is not an object");
    }
    String action = optionalString(in, pn, "action");
    if (action == null) {
      return "send";
    }
    switch (action) {
      case "send":
      case "hint":
      case "close":
      case "refresh":
        return action;
      default:
        throw fail(pn + " contains 'action' with unknown value");
    }
  }

  /** The format's {@code content-filters}, or null when it has none. */
  private List<String> contentFilters(JsonNode in, String pn) throws InvalidPublishException {
    JsonNode filters = value(in, "content-filters");
    if (filters == null) {
      return null;
    }
    if (!filters.isArray()) {
      throw wrongType(pn, "content-filters");
    }
    List<String> names = new ArrayList<>(filters.size());
    for (int i = 0; i < filters.size(); i++) {
      if (!isString(filters.get(i))) {
        throw fail(pn + " content-filters contains element " + i + " with wrong type");
      }
      String name = string(filters.get(i));
      if (name.isEmpty()) {
        throw fail(pn + " content-filters contains element " + i + " with invalid value");
      }
      names.add(name);
    }
    return names;
  }

  private byte[] base64(JsonNode v, String pn, String field) throws InvalidPublishException {
    if (!v.isTextual()) {
      throw wrongType(pn, field);
    }
    try {
      return Base64.getMimeDecoder().decode(v.textValue());
    } catch (IllegalArgumentException e) {
      throw fail(pn + " contains '" + field + "' with invalid value (not base64)");
    }
  }

  private long integer(JsonNode v, String pn, String field, long min, long max)
      throws InvalidPublishException {
    long n;
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw invalidValue(pn, field);
      }
      n = v.longValue();
    } else if (v.isFloatingPointNumber()) {
      // Many JSON writers emit every number as a double; accept those that are whole.
      double d = v.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d)
          || Math.abs(d) > 1e18) {
        throw invalidValue(pn, field);
      }
      n = (long) d;
    } else {
      throw wrongType(pn, field);
    }
    if (n < min || n > max) {
      throw invalidValue(pn, field);
    }
    return n;
  }

  private String optionalString(JsonNode in, String pn, String field)
      throws InvalidPublishException {
    JsonNode v = value(in, field);
    if (v == null) {
      return null;
    }
    if (!isString(v)) {
      throw wrongType(pn, field);
    }
    return string(v);
  }

  private InvalidPublishException unsupportedAction(String pn, String action) {
    return fail(pn + " contains 'action' with unsupported value '" + action + "'");
  }

  private InvalidPublishException wrongType(String pn, String field) {
    return fail(pn + " contains '" + field + "' with wrong type");
  }

  private InvalidPublishException invalidValue(String pn, String field) {
    return fail(pn + " contains '" + field + "' with invalid value");
  }

  private InvalidPublishException fail(String detail) {
    return new InvalidPublishException(prefix + detail);
  }

  /** Whether the node is a string: text, or for tnetstring input a byte string. */
  private boolean isString(JsonNode v) {
    return v.isTextual() || tnet && v.isBinary();
  }

  /** A string field's value; byte strings are decoded as UTF-8, leniently as Qt does. */
  private static String string(JsonNode v) {
    return v.isBinary() ? new String(binary(v), StandardCharsets.UTF_8) : v.textValue();
  }

  private static byte[] binary(JsonNode v) {
    return ((BinaryNode) v).binaryValue();
  }

  /** A field's value, or null when it is absent or JSON null. */
  private static JsonNode value(JsonNode in, String field) {
    JsonNode v = in.get(field);
    return v == null || v.isNull() ? null : v;
  }

  /**
   * Names a key from the request in a message: quoted when short and printable, otherwise by
   * position, so that messages never carry control characters or unbounded input.
   */
  private static String describeKey(String key, int position) {
    if (key.isEmpty() || key.length() > MAX_QUOTED_NAME) {
      return "entry " + position;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '\'') {
        return "entry " + position;
      }
    }
    return "'" + key + "'";
  }
}
