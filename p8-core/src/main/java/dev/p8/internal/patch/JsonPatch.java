package dev.p8.internal.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.p8.internal.text.Quoting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Applies a JSON Patch (RFC 6902: {@code add}, {@code remove}, {@code replace}, {@code move},
 * {@code copy}, {@code test}) to a Jackson tree, with paths as JSON Pointers (RFC 6901, with
 * {@code ~0} and {@code ~1} escapes and {@code -} for the end of an array).
 *
 * <p>A patch applies completely or not at all: the document is copied first and the caller's
 * tree is never changed. Errors are {@link JsonPatchException}s naming the operation's index
 * and path. {@code test} compares numbers by value ({@code 1} equals {@code 1.0}) and objects
 * regardless of member order; Pushpin compares numbers after truncating them to integers.
 *
 * <p>Because {@code copy} can double a document per operation, the result is bounded to
 * {@link #DEFAULT_MAX_NODES} JSON values (an upper estimate, removals are not subtracted).
 *
 * <p>Stateless and thread safe.
 */
public final class JsonPatch {

  /** The default bound on JSON values in a patched document: 1,000,000. */
  public static final int DEFAULT_MAX_NODES = 1_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonPatch() {}

  /**
   * Applies {@code patch} to {@code doc}, with the default node bound.
   *
   * @param doc   the document; not changed
   * @param patch a JSON array of operations
   * @return the patched document, a new tree
   * @throws JsonPatchException if the patch is malformed or an operation fails
   */
  public static JsonNode apply(JsonNode doc, JsonNode patch) {
    return apply(doc, patch, DEFAULT_MAX_NODES);
  }

  /**
   * Applies {@code patch} to {@code doc}.
   *
   * @param doc      the document; not changed
   * @param patch    a JSON array of operations
   * @param maxNodes the most JSON values the result may hold, at least 1
   * @return the patched document, a new tree
   * @throws JsonPatchException if the patch is malformed, an operation fails or the result
   *                            would exceed {@code maxNodes}
   */
  public static JsonNode apply(JsonNode doc, JsonNode patch, int maxNodes) {
    if (doc == null) {
      throw new NullPointerException("doc");
    }
    if (patch == null || !patch.isArray()) {
      throw new JsonPatchException("a JSON Patch must be an array of operations, not "
          + describe(patch));
    }
    Patcher p = new Patcher(doc.deepCopy(), maxNodes);
    for (int i = 0; i < patch.size(); i++) {
      p.apply(i, patch.get(i));
    }
    return p.root;
  }

  /**
   * Reads a patch from JSON text.
   *
   * @param text JSON text
   * @return the patch, an array node
   * @throws JsonPatchException if the text is not JSON or not an array
   */
  public static JsonNode parse(String text) {
    JsonNode patch;
    try {
      patch = JSON.readTree(text);
    } catch (IOException e) {
      throw new JsonPatchException("a JSON Patch must be JSON: " + firstLine(e));
    }
    if (patch == null || !patch.isArray()) {
      throw new JsonPatchException("a JSON Patch must be an array of operations, not "
          + describe(patch));
    }
    return patch;
  }

  /**
   * Writes a patch as compact JSON text.
   *
   * @param patch a JSON node
   * @return its text
   */
  public static String toText(JsonNode patch) {
    try {
      return JSON.writeValueAsString(patch);
    } catch (JsonProcessingException e) {
      throw new JsonPatchException("cannot write the patch: " + firstLine(e));
    }
  }

  /**
   * Patches a held response body as Pushpin does for an {@code http-response} item's
   * {@code body-patch}: the body must be a JSON object or array, the result is written
   * compactly, and a trailing {@code "\n"} or {@code "\r\n"} of the original is kept. When this
   * throws, Pushpin sends the published response with an empty body (and logs at debug level).
   *
   * @param body  the held response's body
   * @param patch a JSON array of operations
   * @return the patched body
   * @throws JsonPatchException if the body is not a JSON object or array, or the patch fails
   */
  public static byte[] patchBody(byte[] body, JsonNode patch) {
    JsonNode doc;
    try {
      doc = JSON.readTree(body);
    } catch (IOException e) {
      throw new JsonPatchException("the held response body is not JSON, so body-patch cannot"
          + " apply: " + firstLine(e));
    }
    if (doc == null || !doc.isContainerNode()) {
      throw new JsonPatchException("the held response body is " + describe(doc)
          + ", not a JSON object or array, so body-patch cannot apply");
    }
    JsonNode out = apply(doc, patch);
    if (!out.isContainerNode()) {
      throw new JsonPatchException("body-patch turned the body into " + describe(out)
          + "; it must stay a JSON object or array");
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new JsonPatchException("cannot write the patched body: " + firstLine(e));
    }
    String ending = endsWith(body, "\r\n") ? "\r\n" : endsWith(body, "\n") ? "\n" : "";
    if (ending.isEmpty()) {
      return json;
    }
    byte[] withEnding = Arrays.copyOf(json, json.length + ending.length());
    System.arraycopy(ending.getBytes(StandardCharsets.US_ASCII), 0, withEnding, json.length,
        ending.length());
    return withEnding;
  }

  private static boolean endsWith(byte[] body, String suffix) {
    int n = suffix.length();
    if (body.length < n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (body[body.length - n + i] != suffix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    switch (node.getNodeType()) {
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      case STRING:
        return "a string";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case NULL:
        return "null";
      default:
        return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One patch run over one document copy. */
  private static final class Patcher {

    JsonNode root;
    private final int maxNodes;
    private long nodes;

    Patcher(JsonNode root, int maxNodes) {
      if (maxNodes < 1) {
        throw new IllegalArgumentException("maxNodes (" + maxNodes + ") must be at least 1");
      }
      this.root = root;
      this.maxNodes = maxNodes;
      this.nodes = count(root);
    }

    void apply(int index, JsonNode op) {
      if (op == null || !op.isObject()) {
        throw new JsonPatchException("operation " + index + " must be an object, not "
            + describe(op));
      }
      String name = stringMember(index, "?", op, "op");
      String path = stringMember(index, name, op, "path");
      Op where = new Op(index, name, path);
      List<String> tokens = where.parse(path, "path");
      switch (name) {
        case "add":
          // Copied so that later operations never change the caller's patch.
          add(where, tokens, member(where, op, "value").deepCopy());
          break;
        case "remove":
          remove(where, tokens);
          break;
        case "replace": {
          JsonNode value = member(where, op, "value").deepCopy();
          get(where, tokens, "path");
          // An object member is replaced where it stands (set keeps its place); removing it
          // first would move it to the end and break the documented member order.
          if (tokens.isEmpty() || !get(where, tokens.subList(0, tokens.size() - 1), "path").isObject()) {
            remove(where, tokens);
          }
          add(where, tokens, value);
          break;
        }
        case "move": {
          String from = stringMember(index, name, op, "from");
          List<String> fromTokens = where.parse(from, "from");
          if (fromTokens.size() < tokens.size()
              && tokens.subList(0, fromTokens.size()).equals(fromTokens)) {
            throw where.fail("cannot move a value into itself (from " + Quoting.quote(from, 100)
                + ")");
          }
          JsonNode value = get(where, fromTokens, "from");
          if (fromTokens.equals(tokens)) {
            break;
          }
          remove(where, fromTokens);
          nodes -= count(value);
          add(where, tokens, value);
          break;
        }
        case "copy": {
          String from = stringMember(index, name, op, "from");
          JsonNode value = get(where, where.parse(from, "from"), "from");
          add(where, tokens, value.deepCopy());
          break;
        }
        case "test": {
          JsonNode expected = member(where, op, "value");
          JsonNode actual = get(where, tokens, "path");
          if (!same(actual, expected)) {
            throw where.fail("test failed: the value there is not the one given");
          }
          break;
        }
        default:
          throw where.fail("unknown op; expected add, remove, replace, move, copy or test");
      }
    }

    private void add(Op where, List<String> tokens, JsonNode value) {
      nodes += count(value);
      if (nodes > maxNodes) {
        throw where.fail("the patched document would hold more than " + maxNodes
            + " JSON values (maxNodes)");
      }
      if (tokens.isEmpty()) {
        root = value;
        return;
      }
      JsonNode parent = get(where, tokens.subList(0, tokens.size() - 1), "path");
      String last = tokens.get(tokens.size() - 1);
      if (parent.isObject()) {
        ((ObjectNode) parent).set(last, value);
      } else if (parent.isArray()) {
        ArrayNode array = (ArrayNode) parent;
        int i = last.equals("-") ? array.size() : arrayIndex(where, last, array.size());
        array.insert(i, value);
      } else {
        throw where.fail("the parent of the target is " + describe(parent)
            + ", not an object or array");
      }
    }

    private void remove(Op where, List<String> tokens) {
      if (tokens.isEmpty()) {
        if (where.name.equals("replace")) {
          nodes -= count(root);
          return;
        }
        throw where.fail("cannot remove the whole document");
      }
      JsonNode parent = get(where, tokens.subList(0, tokens.size() - 1), "path");
      String last = tokens.get(tokens.size() - 1);
      if (parent.isObject() && parent.has(last)) {
        ((ObjectNode) parent).remove(last);
        return;
      }
      if (parent.isArray()) {
        ArrayNode array = (ArrayNode) parent;
        int i = arrayIndex(where, last, array.size() - 1);
        array.remove(i);
        return;
      }
      throw where.fail("the target location does not exist");
    }

    /** The node at {@code tokens}, which must exist. */
    private JsonNode get(Op where, List<String> tokens, String field) {
      JsonNode node = root;
      for (int i = 0; i < tokens.size(); i++) {
        String token = tokens.get(i);
        JsonNode next = null;
        if (node.isObject()) {
          next = node.get(token);
        } else if (node.isArray() && isIndex(token)) {
          int n = parseIndex(token);
          next = n < node.size() ? node.get(n) : null;
        }
        if (next == null) {
          throw where.fail("the " + field + " location does not exist (no "
              + Quoting.quote(token, 40) + " in " + describe(node) + " at depth " + i + ")");
        }
        node = next;
      }
      return node;
    }

    private static int arrayIndex(Op where, String token, int max) {
      if (!isIndex(token)) {
        throw where.fail("array index " + Quoting.quote(token, 40)
            + " is not a number without leading zeros, or '-'");
      }
      int i = parseIndex(token);
      if (i > max) {
        throw where.fail("array index " + token + " is out of bounds (at most " + max + ")");
      }
      return i;
    }

    private static boolean isIndex(String token) {
      if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      return true;
    }

    private static int parseIndex(String token) {
      return Integer.parseInt(token);
    }

    private static String stringMember(int index, String name, JsonNode op, String field) {
      JsonNode v = op.get(field);
      if (v == null || !v.isTextual()) {
        throw new JsonPatchException("operation " + index + " (" + name + "): '" + field
            + "' must be a string, not " + describe(v));
      }
      return v.asText();
    }

    private static JsonNode member(Op where, JsonNode op, String field) {
      JsonNode v = op.get(field);
      if (v == null) {
        throw where.fail("'" + field + "' is missing");
      }
      return v;
    }

    private static long count(JsonNode node) {
      long n = 1;
      for (JsonNode child : node) {
        n += count(child);
      }
      return n;
    }
  }

  /** RFC 6902 equality: numbers by value, objects without regard to member order. */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
      return false;
    }
    if (a.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        JsonNode other = b.get(e.getKey());
        if (other == null || !same(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray()) {
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** Where an operation is, for messages. */
  private record Op(int index, String name, String path) {

    JsonPatchException fail(String reason) {
      return new JsonPatchException("operation " + index + " (" + name + " "
          + Quoting.quote(path, 100) + "): " + reason);
    }

    List<String> parse(String pointer, String field) {
      if (pointer.isEmpty()) {
        return List.of();
      }
      if (pointer.charAt(0) != '/') {
        throw fail("'" + field + "' is not a JSON Pointer: it must be empty or start with '/'");
      }
      List<String> tokens = new ArrayList<>();
      StringBuilder token = new StringBuilder();
      for (int i = 1; i <= pointer.length(); i++) {
        char c = i < pointer.length() ? pointer.charAt(i) : '/';
        if (c == '/') {
          tokens.add(token.toString());
          token.setLength(0);
        } else if (c == '~') {
          char next = i + 1 < pointer.length() ? pointer.charAt(i + 1) : 0;
          if (next == '0') {
            token.append('~');
          } else if (next == '1') {
            token.append('/');
          } else {
            throw fail("'" + field + "' has '~' at offset " + i
                + " not followed by 0 or 1");
          }
          i++;
        } else {
          token.append(c);
        }
      }
      return tokens;
    }
  }
}
