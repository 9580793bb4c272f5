package dev.p8.grip;

import static dev.p8.grip.Values.echo;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@code application/grip-instruct} body into a {@link Draft} that already holds the
 * header instructions (GRIP.md section 1.2). As in Pushpin, the JSON adds to the headers: its
 * hold mode, timeout and keep-alive replace theirs, its channels come after theirs, its meta
 * entries win over theirs. Errors name the field by its path, such as
 * {@code hold.channels[1].name}. Stateless.
 */
final class JsonForm {

  static final String BODY = "body";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonForm() {}

  static void read(byte[] body, Draft d) throws GripInstructionException {
    JsonNode root = tree(body == null ? new byte[0] : body);
    if (!root.isObject()) {
      throw error("the instruction must be a JSON object");
    }
    JsonNode hold = present(root, "hold");
    if (hold != null) {
      hold(object(hold, "hold"), d);
    }
    JsonNode response = present(root, "response");
    d.response = response(response == null ? null : object(response, "response"), d);
  }

  private static JsonNode tree(byte[] body) throws GripInstructionException {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw error("the instruction is empty; expected a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw error("not valid JSON" + (at == null ? ""
          : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
    } catch (java.io.IOException | RuntimeException e) {
      throw error("not valid JSON");
    }
  }

  private static void hold(JsonNode hold, Draft d) throws GripInstructionException {
    String mode = string(hold, "mode", "hold.mode");
    if (mode == null || mode.equals("response")) {
      d.hold = HoldMode.RESPONSE;
    } else if (mode.equals("stream")) {
      d.hold = HoldMode.STREAM;
    } else {
      throw error("hold.mode must be 'response' or 'stream', not " + echo(mode));
    }
    JsonNode channels = present(hold, "channels");
    if (channels == null) {
      throw error("hold.channels is required");
    }
    if (!channels.isArray()) {
      throw error("hold.channels must be a list");
    }
    for (int i = 0; i < channels.size(); i++) {
      d.channels.add(channel(channels.get(i), "hold.channels[" + i + "]"));
    }
    JsonNode timeout = present(hold, "timeout");
    if (timeout != null) {
      d.timeout = GripInstruction.clampTimeout(seconds(timeout, "hold.timeout"));
    }
    JsonNode keepAlive = present(hold, "keep-alive");
    if (keepAlive != null) {
      keepAlive(object(keepAlive, "hold.keep-alive"), d);
    }
    JsonNode meta = present(hold, "meta");
    if (meta != null) {
      for (Map.Entry<String, JsonNode> e : object(meta, "hold.meta").properties()) {
        if (!e.getValue().isTextual()) {
          throw error("hold.meta." + echo(e.getKey()) + " must be a string");
        }
        d.meta.put(e.getKey(), e.getValue().asText());
      }
    }
  }

  private static ChannelSubscription channel(JsonNode node, String path)
      throws GripInstructionException {
    JsonNode c = object(node, path);
    String name = string(c, "name", path + ".name");
    if (name == null) {
      throw error(path + ".name is required");
    }
    if (name.isEmpty()) {
      throw error(path + ".name must not be empty");
    }
    String prevId = string(c, "prev-id", path + ".prev-id");
    List<String> filters = new ArrayList<>();
    JsonNode f = present(c, "filters");
    if (f != null) {
      if (!f.isArray()) {
        throw error(path + ".filters must be a list");
      }
      for (int j = 0; j < f.size(); j++) {
        JsonNode filter = f.get(j);
        if (!filter.isTextual()) {
          throw error(path + ".filters[" + j + "] must be a string");
        }
        if (filter.asText().isEmpty()) {
          throw error(path + ".filters[" + j + "] must not be empty");
        }
        filters.add(filter.asText());
      }
      if (filters.size() > GripInstruction.MAX_FILTERS_PER_CHANNEL) {
        throw error(path + ".filters has " + filters.size() + " entries; at most "
            + GripInstruction.MAX_FILTERS_PER_CHANNEL + " are allowed");
      }
    }
    return new ChannelSubscription(name, prevId, filters);
  }

  private static void keepAlive(JsonNode k, Draft d) throws GripInstructionException {
    byte[] data = content(k, "content", "content-bin", "hold.keep-alive");
    if (data != null) {
      d.keepAliveData = data;
    }
    JsonNode timeout = present(k, "timeout");
    d.keepAliveTimeout = timeout == null ? GripInstruction.DEFAULT_KEEP_ALIVE_TIMEOUT
        : GripInstruction.clampKeepAlive(seconds(timeout, "hold.keep-alive.timeout"));
    // Pushpin restarts the keep-alive timer on every write only in idle mode, which JSON cannot
    // ask for; a JSON keep-alive therefore ticks at a fixed interval unless a Grip-Keep-Alive
    // header chose the mode.
    if (d.keepAliveMode == null) {
      d.keepAliveMode = KeepAliveMode.INTERVAL;
    }
  }

  private static InstructResponse response(JsonNode r, Draft d) throws GripInstructionException {
    int code = d.status < 0 ? 200 : d.status;
    String reason = d.reason;
    List<Header> headers = new ArrayList<>();
    byte[] body = new byte[0];
    if (r != null) {
      JsonNode c = present(r, "code");
      if (c != null) {
        long n = number(c);
        if (n < 0 || n > 999) {
          throw error("response.code must be a whole number from 0 to 999");
        }
        code = (int) n;
        reason = null;
      }
      String givenReason = string(r, "reason", "response.reason");
      if (givenReason != null && !givenReason.isEmpty()) {
        reason = givenReason;
      }
      JsonNode h = present(r, "headers");
      if (h != null) {
        headers(h, headers);
      }
      byte[] given = content(r, "body", "body-bin", "response");
      if (given != null) {
        body = given;
      }
    }
    return new InstructResponse(code, reason, headers, body);
  }

  private static void headers(JsonNode h, List<Header> out) throws GripInstructionException {
    if (h.isObject()) {
      for (Map.Entry<String, JsonNode> e : h.properties()) {
        if (e.getKey().isEmpty()) {
          throw error("response.headers has an empty header name");
        }
        if (!e.getValue().isTextual()) {
          throw error("response.headers." + echo(e.getKey()) + " must be a string");
        }
        out.add(new Header(e.getKey(), e.getValue().asText()));
      }
    } else if (h.isArray()) {
      for (int i = 0; i < h.size(); i++) {
        JsonNode pair = h.get(i);
        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()
            || !pair.get(1).isTextual()) {
          throw error("response.headers[" + i + "] must be a [name, value] pair of strings");
        }
        if (pair.get(0).asText().isEmpty()) {
          throw error("response.headers[" + i + "] has an empty header name");
        }
        out.add(new Header(pair.get(0).asText(), pair.get(1).asText()));
      }
    } else {
      throw error("response.headers must be an object or a list of [name, value] pairs");
    }
  }

  /** The {@code -bin} field (base64) wins over the text field, as in Pushpin; null if neither. */
  private static byte[] content(JsonNode node, String text, String bin, String path)
      throws GripInstructionException {
    String b = string(node, bin, path + "." + bin);
    if (b != null) {
      byte[] bytes = Values.base64(b);
      if (bytes == null) {
        throw error(path + "." + bin + " is not valid base64");
      }
      return bytes;
    }
    String t = string(node, text, path + "." + text);
    return t == null ? null : t.getBytes(StandardCharsets.UTF_8);
  }

  private static long seconds(JsonNode n, String path) throws GripInstructionException {
    long v = number(n);
    if (v < 0) {
      throw error(path + " must be a whole number of seconds from 0 to " + Integer.MAX_VALUE);
    }
    return v;
  }

  /**
   * A number as Pushpin reads one: JSON numbers (fractions cut off) and strings of digits.
   *
   * @return the value from 0 to {@link Integer#MAX_VALUE}, or -1 when it is not one
   */
  private static long number(JsonNode n) {
    if (n.isNumber()) {
      double v = n.asDouble();
      return v > -1 && v < Integer.MAX_VALUE + 1.0 ? (long) v : -1;
    }
    if (n.isTextual()) {
      long v = Values.nonNegativeInt(n.asText());
      return v < 0 ? -1 : v;
    }
    return -1;
  }

  /** The field, or null when it is absent or JSON null. */
  private static JsonNode present(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static JsonNode object(JsonNode n, String path) throws GripInstructionException {
    if (!n.isObject()) {
      throw error(path + " must be an object");
    }
    return n;
  }

  private static String string(JsonNode node, String field, String path)
      throws GripInstructionException {
    JsonNode v = present(node, field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw error(path + " must be a string");
    }
    return v.asText();
  }

  private static GripInstructionException error(String message) {
    return new GripInstructionException(BODY, message);
  }
}
