package dev.p8.grip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The GRIP instructions of one backend response: whether and how to hold the client, on which
 * channels, for how long, with which keep-alive, status and links. Parsed from {@code Grip-*}
 * response headers, or from a JSON body of type {@code application/grip-instruct}.
 *
 * <pre>{@code
 * GripInstruction grip = GripInstruction.parse(headers, body);
 * if (grip.hold().isPresent()) { ... grip.channels() ... }
 * }</pre>
 *
 * <p>Immutable and thread safe. {@link #parse} either returns a complete instruction or throws
 * {@link GripInstructionException} naming the header, the value and why; it throws nothing
 * else, whatever the input.
 */
public final class GripInstruction {

  /** Default long-poll timeout: 55 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(55);
  /** Smallest long-poll timeout: 5 seconds; smaller values are raised to it. */
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(5);
  /** Default keep-alive period: 55 seconds. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(55);
  /** Default next-link timeout: 120 seconds. */
  public static final Duration DEFAULT_LINK_TIMEOUT = Duration.ofSeconds(120);
  /** Most filters one channel may name: 5. */
  public static final int MAX_FILTERS_PER_CHANNEL = 5;
  /** The content type of the JSON form. */
  public static final String CONTENT_TYPE = "application/grip-instruct";

  private static final long MAX_SECONDS = 365L * 24 * 3600;
  private static final int MAX_ECHO = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HoldMode hold;
  private final List<ChannelSubscription> channels;
  private final Duration timeout;
  private final KeepAlive keepAlive;
  private final int status;
  private final String reason;
  private final GripLink nextLink;
  private final GripLink goneLink;
  private final Map<String, String> meta;
  private final List<String> exposeHeaders;
  private final InstructResponse response;

  private GripInstruction(Parsed p) {
    this.hold = p.hold;
    this.channels = List.copyOf(p.channels);
    this.timeout = p.timeout;
    this.keepAlive = p.keepAlive;
    this.status = p.status;
    this.reason = p.reason;
    this.nextLink = p.nextLink;
    this.goneLink = p.goneLink;
    this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(p.meta));
    this.exposeHeaders = List.copyOf(p.exposeHeaders);
    this.response = p.response;
  }

  private static final class Parsed {
    HoldMode hold;
    List<ChannelSubscription> channels = new ArrayList<>();
    Duration timeout = DEFAULT_TIMEOUT;
    KeepAlive keepAlive;
    int status = -1;
    String reason;
    GripLink nextLink;
    GripLink goneLink;
    Map<String, String> meta = new LinkedHashMap<>();
    List<String> exposeHeaders = new ArrayList<>();
    InstructResponse response;
  }

  /**
   * Tells whether a response carries GRIP instructions: a header whose name starts with
   * {@code Grip-} (any case), or {@code Content-Type: application/grip-instruct}.
   *
   * @param headers the response headers; names in any case
   * @return true if the proxy must treat the response as instructions
   */
  public static boolean isInstruct(Map<String, List<String>> headers) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      String name = e.getKey();
      if (name != null && name.regionMatches(true, 0, "Grip-", 0, 5)) {
        return true;
      }
      if (name != null && name.equalsIgnoreCase("Content-Type") && isInstructType(e.getValue())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isInstructType(List<String> values) {
    if (values == null || values.isEmpty() || values.get(0) == null) {
      return false;
    }
    String v = values.get(0).trim();
    int semi = v.indexOf(';');
    return (semi < 0 ? v : v.substring(0, semi)).trim().equalsIgnoreCase(CONTENT_TYPE);
  }

  /**
   * Parses the instructions of a response.
   *
   * @param headers the response headers; names in any case, several values per name for
   *                repeated headers
   * @param body    the response body, read only for the JSON form; may be null otherwise
   * @return the instructions
   * @throws GripInstructionException naming the header or JSON field at fault
   */
  public static GripInstruction parse(Map<String, List<String>> headers, byte[] body)
      throws GripInstructionException {
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        continue;
      }
      List<String> values = h.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
      for (String v : e.getValue()) {
        if (v != null) {
          values.add(v);
        }
      }
    }
    Parsed p = new Parsed();
    if (isInstructType(h.get("Content-Type"))) {
      parseJson(body == null ? new byte[0] : body, p);
    } else {
      parseHold(h, p);
      parseChannels(h, p);
      parseTimeout(h, p);
      parseKeepAlive(h, p);
    }
    parseStatus(h, p);
    parseLinks(h, p);
    parseSetMeta(h, p);
    parseExpose(h, p);
    return new GripInstruction(p);
  }

  private static String first(Map<String, List<String>> h, String name) {
    List<String> v = h.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void parseHold(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    String v = first(h, "Grip-Hold");
    if (v == null) {
      return;
    }
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "response" -> p.hold = HoldMode.RESPONSE;
      case "stream" -> p.hold = HoldMode.STREAM;
      default -> throw new GripInstructionException("Grip-Hold",
          "must be set to either 'response' or 'stream', not " + echo(v));
    }
  }

  private static void parseChannels(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    List<String> values = h.get("Grip-Channel");
    if (values == null) {
      return;
    }
    for (String value : values) {
      for (HeaderParameters.Element el : elements("Grip-Channel", value)) {
        if (el.value().isEmpty()) {
          throw new GripInstructionException("Grip-Channel", "empty channel name in " + echo(value));
        }
        String prevId = null;
        List<String> filters = new ArrayList<>();
        for (HeaderParameters.Param param : el.params()) {
          switch (param.name().toLowerCase(Locale.ROOT)) {
            case "prev-id" -> prevId = param.value();
            case "filter" -> {
              if (param.value().isEmpty()) {
                throw new GripInstructionException("Grip-Channel", "empty filter on channel " + echo(el.value()));
              }
              filters.add(param.value());
            }
            default -> { }
          }
        }
        if (filters.size() > MAX_FILTERS_PER_CHANNEL) {
          throw new GripInstructionException("Grip-Channel", "channel " + echo(el.value()) + " has "
              + filters.size() + " filters; at most " + MAX_FILTERS_PER_CHANNEL + " are allowed");
        }
        p.channels.add(new ChannelSubscription(el.value(), prevId, filters));
      }
    }
  }

  private static List<HeaderParameters.Element> elements(String header, String value)
      throws GripInstructionException {
    try {
      return HeaderParameters.list(value);
    } catch (HeaderParameters.SyntaxException e) {
      throw new GripInstructionException(header, e.getMessage() + " in " + echo(value));
    }
  }

  private static void parseTimeout(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    String v = first(h, "Grip-Timeout");
    if (v != null) {
      p.timeout = clampTimeout(seconds("Grip-Timeout", v.trim(), 0));
    }
  }

  private static Duration clampTimeout(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : d;
  }

  private static long seconds(String header, String v, long min) throws GripInstructionException {
    if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new GripInstructionException(header, echo(v) + " is not a non-negative whole number of seconds");
    }
    long n = Long.parseLong(v);
    if (n < min) {
      throw new GripInstructionException(header, echo(v) + " is below the minimum of " + min + " s");
    }
    if (n > MAX_SECONDS) {
      throw new GripInstructionException(header, echo(v) + " is over the maximum of " + MAX_SECONDS + " s");
    }
    return n;
  }

  private static void parseKeepAlive(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    String v = first(h, "Grip-Keep-Alive");
    if (v == null) {
      return;
    }
    String header = "Grip-Keep-Alive";
    HeaderParameters.Element el;
    try {
      el = HeaderParameters.single(v);
    } catch (HeaderParameters.SyntaxException e) {
      throw new GripInstructionException(header, e.getMessage() + " in " + echo(v));
    }
    String format = el.param("format");
    byte[] data;
    String f = format == null ? "raw" : format.toLowerCase(Locale.ROOT);
    switch (f) {
      case "raw" -> data = el.value().getBytes(StandardCharsets.UTF_8);
      case "cstring" -> data = unescapeCString(header, el.value());
      case "base64" -> {
        try {
          data = Base64.getDecoder().decode(el.value().trim());
        } catch (IllegalArgumentException e) {
          throw new GripInstructionException(header, "data is not valid base64");
        }
      }
      default -> throw new GripInstructionException(header, "format must be raw, cstring or base64, not " + echo(format));
    }
    if (data.length == 0) {
      throw new GripInstructionException(header, "keep-alive data must not be empty");
    }
    String t = el.param("timeout");
    Duration timeout = t == null ? DEFAULT_KEEP_ALIVE_TIMEOUT : Duration.ofSeconds(seconds(header, t.trim(), 1));
    String m = el.param("mode");
    KeepAliveMode mode;
    if (m == null || m.equalsIgnoreCase("idle")) {
      mode = KeepAliveMode.IDLE;
    } else if (m.equalsIgnoreCase("interval")) {
      mode = KeepAliveMode.INTERVAL;
    } else {
      throw new GripInstructionException(header, "mode must be idle or interval, not " + echo(m));
    }
    p.keepAlive = KeepAlive.of(data, timeout, mode);
  }

  static byte[] unescapeCString(String header, String s) throws GripInstructionException {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
    for (int i = 0; i < raw.length; i++) {
      byte b = raw[i];
      if (b != '\\') {
        out.write(b);
        continue;
      }
      if (i + 1 >= raw.length) {
        throw new GripInstructionException(header, "cstring ends with a lone backslash");
      }
      byte c = raw[++i];
      switch (c) {
        case '\\' -> out.write('\\');
        case 'r' -> out.write('\r');
        case 'n' -> out.write('\n');
        case 't' -> out.write('\t');
        case 'x' -> {
          if (i + 2 >= raw.length || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) {
            throw new GripInstructionException(header, "cstring has a \\x escape without two hex digits at byte " + (i - 1));
          }
          out.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
          i += 2;
        }
        default -> throw new GripInstructionException(header,
            "cstring has an unknown escape \\" + (c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : "?") + " at byte " + (i - 1));
      }
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private static void parseStatus(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    String v = first(h, "Grip-Status");
    if (v == null) {
      return;
    }
    String s = v.trim();
    int space = s.indexOf(' ');
    String code = space < 0 ? s : s.substring(0, space);
    if (code.isEmpty() || code.length() > 3 || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new GripInstructionException("Grip-Status", echo(v) + " does not start with a status code of 0-999");
    }
    p.status = Integer.parseInt(code);
    String reason = space < 0 ? "" : s.substring(space + 1).trim();
    p.reason = reason.isEmpty() ? null : reason;
  }

  private static void parseLinks(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    List<String> values = h.get("Grip-Link");
    if (values == null) {
      return;
    }
    for (String value : values) {
      for (HeaderParameters.Element el : elements("Grip-Link", value)) {
        String rel = el.param("rel");
        if (el.value().isEmpty()) {
          throw new GripInstructionException("Grip-Link", "empty link target in " + echo(value));
        }
        if (rel == null) {
          throw new GripInstructionException("Grip-Link", "link " + echo(el.value()) + " has no rel");
        }
        String t = el.param("timeout");
        Duration timeout = t == null ? DEFAULT_LINK_TIMEOUT : Duration.ofSeconds(seconds("Grip-Link", t.trim(), 1));
        switch (rel.toLowerCase(Locale.ROOT)) {
          case "next" -> p.nextLink = new GripLink(el.value(), "next", timeout);
          case "gone" -> p.goneLink = new GripLink(el.value(), "gone", timeout);
          default -> { }
        }
      }
    }
  }

  private static void parseSetMeta(Map<String, List<String>> h, Parsed p) throws GripInstructionException {
    List<String> values = h.get("Grip-Set-Meta");
    if (values == null) {
      return;
    }
    for (String value : values) {
      try {
        for (HeaderParameters.Param pair : HeaderParameters.pairs(value)) {
          p.meta.put(pair.name(), pair.value());
        }
      } catch (HeaderParameters.SyntaxException e) {
        throw new GripInstructionException("Grip-Set-Meta", e.getMessage() + " in " + echo(value));
      }
    }
  }

  private static void parseExpose(Map<String, List<String>> h, Parsed p) {
    List<String> values = h.get("Grip-Expose-Headers");
    if (values == null) {
      return;
    }
    for (String value : values) {
      for (String name : value.split(",")) {
        if (!name.isBlank()) {
          p.exposeHeaders.add(name.trim());
        }
      }
    }
  }

  // The JSON form (GRIP.md §1.2).

  private static void parseJson(byte[] body, Parsed p) throws GripInstructionException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new GripInstructionException("body", "not valid JSON");
    } catch (java.io.IOException | RuntimeException e) {
      throw new GripInstructionException("body", "not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new GripInstructionException("body", "must be a JSON object");
    }
    JsonNode hold = root.get("hold");
    if (hold != null && !hold.isNull()) {
      parseJsonHold(object(hold, "hold"), p);
    }
    JsonNode response = root.get("response");
    if (response != null && !response.isNull()) {
      p.response = parseJsonResponse(object(response, "response"));
    }
  }

  private static void parseJsonHold(JsonNode hold, Parsed p) throws GripInstructionException {
    String mode = optionalText(hold, "mode", "hold.mode");
    if (mode == null || mode.equals("response")) {
      p.hold = HoldMode.RESPONSE;
    } else if (mode.equals("stream")) {
      p.hold = HoldMode.STREAM;
    } else {
      throw new GripInstructionException("body", "hold.mode must be 'response' or 'stream', not " + echo(mode));
    }
    JsonNode channels = hold.get("channels");
    if (channels == null || !channels.isArray()) {
      throw new GripInstructionException("body", "hold.channels must be a list of channels");
    }
    for (int i = 0; i < channels.size(); i++) {
      String path = "hold.channels[" + i + "]";
      JsonNode c = object(channels.get(i), path);
      String name = optionalText(c, "name", path + ".name");
      if (name == null || name.isEmpty()) {
        throw new GripInstructionException("body", path + ".name must be a non-empty string");
      }
      String prevId = optionalText(c, "prev-id", path + ".prev-id");
      List<String> filters = new ArrayList<>();
      JsonNode f = c.get("filters");
      if (f != null && !f.isNull()) {
        if (!f.isArray()) {
          throw new GripInstructionException("body", path + ".filters must be a list of strings");
        }
        for (int j = 0; j < f.size(); j++) {
          if (!f.get(j).isTextual() || f.get(j).asText().isEmpty()) {
            throw new GripInstructionException("body", path + ".filters[" + j + "] must be a non-empty string");
          }
          filters.add(f.get(j).asText());
        }
        if (filters.size() > MAX_FILTERS_PER_CHANNEL) {
          throw new GripInstructionException("body", path + ".filters has " + filters.size()
              + " filters; at most " + MAX_FILTERS_PER_CHANNEL + " are allowed");
        }
      }
      p.channels.add(new ChannelSubscription(name, prevId, filters));
    }
    JsonNode timeout = hold.get("timeout");
    if (timeout != null && !timeout.isNull()) {
      p.timeout = clampTimeout(jsonSeconds(timeout, "hold.timeout", 0));
    }
    JsonNode ka = hold.get("keep-alive");
    if (ka != null && !ka.isNull()) {
      JsonNode k = object(ka, "hold.keep-alive");
      byte[] data = content(k, "content", "content-bin", "hold.keep-alive");
      if (data == null || data.length == 0) {
        throw new GripInstructionException("body", "hold.keep-alive needs a non-empty content or content-bin");
      }
      JsonNode t = k.get("timeout");
      Duration period = t == null || t.isNull() ? DEFAULT_KEEP_ALIVE_TIMEOUT
          : Duration.ofSeconds(jsonSeconds(t, "hold.keep-alive.timeout", 1));
      p.keepAlive = KeepAlive.of(data, period, KeepAliveMode.INTERVAL);
    }
    JsonNode meta = hold.get("meta");
    if (meta != null && !meta.isNull()) {
      JsonNode m = object(meta, "hold.meta");
      for (Map.Entry<String, JsonNode> e : m.properties()) {
        if (!e.getValue().isTextual()) {
          throw new GripInstructionException("body", "hold.meta values must be strings");
        }
        p.meta.put(e.getKey(), e.getValue().asText());
      }
    }
  }

  private static InstructResponse parseJsonResponse(JsonNode r) throws GripInstructionException {
    int code = 200;
    JsonNode c = r.get("code");
    if (c != null && !c.isNull()) {
      if (!c.canConvertToInt() || !c.isIntegralNumber() || c.asInt() < 0 || c.asInt() > 999) {
        throw new GripInstructionException("body", "response.code must be a whole number of 0-999");
      }
      code = c.asInt();
    }
    String reason = optionalText(r, "reason", "response.reason");
    List<Header> headers = new ArrayList<>();
    JsonNode h = r.get("headers");
    if (h != null && !h.isNull()) {
      if (h.isObject()) {
        for (Map.Entry<String, JsonNode> e : h.properties()) {
          if (!e.getValue().isTextual() || e.getKey().isEmpty()) {
            throw new GripInstructionException("body", "response.headers must map names to string values");
          }
          headers.add(new Header(e.getKey(), e.getValue().asText()));
        }
      } else if (h.isArray()) {
        for (int i = 0; i < h.size(); i++) {
          JsonNode pair = h.get(i);
          if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()
              || pair.get(0).asText().isEmpty()) {
            throw new GripInstructionException("body", "response.headers[" + i + "] must be a [name, value] pair of strings");
          }
          headers.add(new Header(pair.get(0).asText(), pair.get(1).asText()));
        }
      } else {
        throw new GripInstructionException("body", "response.headers must be an object or a list of [name, value] pairs");
      }
    }
    byte[] body = content(r, "body", "body-bin", "response");
    return new InstructResponse(code, reason, headers, body == null ? new byte[0] : body);
  }

  private static byte[] content(JsonNode node, String text, String bin, String path) throws GripInstructionException {
    JsonNode t = node.get(text);
    if (t != null && !t.isNull()) {
      if (!t.isTextual()) {
        throw new GripInstructionException("body", path + "." + text + " must be a string");
      }
      return t.asText().getBytes(StandardCharsets.UTF_8);
    }
    JsonNode b = node.get(bin);
    if (b != null && !b.isNull()) {
      if (!b.isTextual()) {
        throw new GripInstructionException("body", path + "." + bin + " must be a base64 string");
      }
      try {
        return Base64.getDecoder().decode(b.asText());
      } catch (IllegalArgumentException e) {
        throw new GripInstructionException("body", path + "." + bin + " is not valid base64");
      }
    }
    return null;
  }

  private static long jsonSeconds(JsonNode n, String path, long min) throws GripInstructionException {
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > MAX_SECONDS) {
      throw new GripInstructionException("body", path + " must be a whole number of seconds from " + min
          + " to " + MAX_SECONDS);
    }
    return n.asLong();
  }

  private static JsonNode object(JsonNode n, String path) throws GripInstructionException {
    if (n == null || !n.isObject()) {
      throw new GripInstructionException("body", path + " must be an object");
    }
    return n;
  }

  private static String optionalText(JsonNode n, String field, String path) throws GripInstructionException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new GripInstructionException("body", path + " must be a string");
    }
    return v.asText();
  }

  /** Quotes a value for a message, cut short and with control characters shown as '?'. */
  static String echo(String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < value.length() && i < MAX_ECHO; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (value.length() > MAX_ECHO) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }

  /** The hold mode, or empty when the backend did not ask for a hold. */
  public Optional<HoldMode> hold() {
    return Optional.ofNullable(hold);
  }

  /** The channels to subscribe to, in the order given. */
  public List<ChannelSubscription> channels() {
    return channels;
  }

  /** The long-poll timeout: {@link #DEFAULT_TIMEOUT} unless given, never under {@link #MIN_TIMEOUT}. */
  public Duration timeout() {
    return timeout;
  }

  /** The stream keep-alive, if any. */
  public Optional<KeepAlive> keepAlive() {
    return Optional.ofNullable(keepAlive);
  }

  /** The status code from {@code Grip-Status}, if given. */
  public OptionalInt status() {
    return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }

  /** The reason phrase from {@code Grip-Status}, if given. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** The {@code rel=next} link, if any. */
  public Optional<GripLink> nextLink() {
    return Optional.ofNullable(nextLink);
  }

  /** The {@code rel=gone} link, if any. */
  public Optional<GripLink> goneLink() {
    return Optional.ofNullable(goneLink);
  }

  /** Subscription meta from {@code Grip-Set-Meta} or the JSON {@code hold.meta}. */
  public Map<String, String> meta() {
    return meta;
  }

  /** The names in {@code Grip-Expose-Headers}; empty means keep every header. */
  public List<String> exposeHeaders() {
    return exposeHeaders;
  }

  /** The client response given by the JSON form, if any. */
  public Optional<InstructResponse> response() {
    return Optional.ofNullable(response);
  }

  @Override
  public String toString() {
    return "GripInstruction{hold=" + hold + ", channels=" + channels + ", timeout=" + timeout
        + (keepAlive == null ? "" : ", keepAlive=" + keepAlive)
        + (status < 0 ? "" : ", status=" + status) + "}";
  }
}
