package dev.p8.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Decodes one item object for {@link ItemJson}, following Pushpin's rules and wording. Carries
 * the item's position for the messages. Used once per item; not thread safe.
 */
final class ItemDecoder {

  private static final String ITEM = "publish item object";
  private static final int MAX_QUOTED_NAME = 64;

  private final int index;

  ItemDecoder(int index) {
    this.index = index;
  }

  Item item(JsonNode node) throws InvalidPublishException {
    if (node == null || !node.isObject()) {
      throw fail(ITEM + " is not an object");
    }
    JsonNode channelNode = node.get("channel");
    if (channelNode == null) {
      throw fail(ITEM + " does not contain 'channel'");
    }
    if (!channelNode.isTextual()) {
      throw wrongType(ITEM, "channel");
    }
    if (channelNode.textValue().isEmpty()) {
      throw fail(ITEM + " contains 'channel' with empty value");
    }
    Item.Builder b = Item.builder(channelNode.textValue());
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
        if (!e.getValue().isTextual()) {
          throw fail("'meta' contains " + describeKey(e.getKey(), position)
              + " with wrong type");
        }
        b.meta(e.getKey(), e.getValue().textValue());
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
    contentFilters(in, pn);
    JsonNode bodyBin = value(in, "body-bin");
    JsonNode body = value(in, "body");
    JsonNode bodyPatch = value(in, "body-patch");
    if (bodyBin != null) {
      b.body(base64(bodyBin, pn, "body-bin"));
    } else if (body != null) {
      if (!body.isTextual()) {
        throw wrongType(pn, "body");
      }
      b.body(body.textValue());
    } else if (bodyPatch != null) {
      if (!bodyPatch.isArray()) {
        throw wrongType(pn, "body-patch");
      }
      throw fail("'body-patch' is not supported");
    } else {
      throw fail(pn + " does not contain 'body', 'body-bin', or 'body-patch'");
    }
    return b.build();
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
        if (!pair.get(0).isTextual()) {
          throw fail(pn + " header " + i + " contains name element with wrong type");
        }
        if (!pair.get(1).isTextual()) {
          throw fail(pn + " header " + i + " contains value element with wrong type");
        }
        String name = pair.get(0).textValue();
        String value = pair.get(1).textValue();
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
        if (!e.getValue().isTextual()) {
          throw fail(pn + " headers contains " + describeKey(name, position)
              + " with wrong type");
        }
        if (!FieldSyntax.isFieldText(e.getValue().textValue())) {
          throw fail(pn + " headers contains " + describeKey(name, position)
              + " with invalid value");
        }
        out.add(new Header(name, e.getValue().textValue()));
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
    contentFilters(in, pn);
    JsonNode contentBin = value(in, "content-bin");
    JsonNode content = value(in, "content");
    if (contentBin != null) {
      return HttpStreamFormat.send(base64(contentBin, pn, "content-bin"));
    }
    if (content != null) {
      if (!content.isTextual()) {
        throw wrongType(pn, "content");
      }
      return HttpStreamFormat.send(content.textValue());
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
    contentFilters(in, pn);
    JsonNode contentBin = value(in, "content-bin");
    JsonNode content = value(in, "content");
    if (contentBin != null) {
      byte[] bytes = base64(contentBin, pn, "content-bin");
      return WsMessageFormat.send(type == null ? WsMessageFormat.Type.BINARY : type, bytes);
    }
    if (content != null) {
      if (!content.isTextual()) {
        throw wrongType(pn, "content");
      }
      byte[] bytes = content.textValue().getBytes(StandardCharsets.UTF_8);
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

  private void contentFilters(JsonNode in, String pn) throws InvalidPublishException {
    JsonNode filters = value(in, "content-filters");
    if (filters == null) {
      return;
    }
    if (!filters.isArray()) {
      throw wrongType(pn, "content-filters");
    }
    for (int i = 0; i < filters.size(); i++) {
      if (!filters.get(i).isTextual()) {
        throw fail(pn + " content-filters contains element " + i + " with wrong type");
      }
    }
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
    if (!v.isTextual()) {
      throw wrongType(pn, field);
    }
    return v.textValue();
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
    return new InvalidPublishException("Invalid format: item " + index + ": " + detail);
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
