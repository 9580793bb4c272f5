package dev.p8.grip;

import static dev.p8.grip.Values.echo;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code Grip-*} response headers into a {@link Draft} (GRIP.md section 1.1), in
 * Pushpin's order, so that the first error reported is the one Pushpin would report. Stateless.
 */
final class HeaderForm {

  static final String HOLD = "Grip-Hold";
  static final String CHANNEL = "Grip-Channel";
  static final String TIMEOUT = "Grip-Timeout";
  static final String EXPOSE_HEADERS = "Grip-Expose-Headers";
  static final String KEEP_ALIVE = "Grip-Keep-Alive";
  static final String SET_META = "Grip-Set-Meta";
  static final String STATUS = "Grip-Status";
  static final String LINK = "Grip-Link";

  private HeaderForm() {}

  /**
   * @param headers the headers in a case-insensitive map, values in arrival order
   */
  static void read(Map<String, List<String>> headers, Draft d) throws GripInstructionException {
    hold(first(headers, HOLD), d);
    for (String value : all(headers, CHANNEL)) {
      channels(value, d);
    }
    timeout(first(headers, TIMEOUT), d);
    for (String value : all(headers, EXPOSE_HEADERS)) {
      exposeHeaders(value, d);
    }
    keepAlive(first(headers, KEEP_ALIVE), d);
    for (String value : all(headers, SET_META)) {
      setMeta(value, d);
    }
    status(first(headers, STATUS), d);
    for (String value : all(headers, LINK)) {
      links(value, d);
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static List<String> all(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null ? List.of() : values;
  }

  private static void hold(String value, Draft d) throws GripInstructionException {
    if (value == null) {
      return;
    }
    switch (value.trim()) {
      case "response" -> d.hold = HoldMode.RESPONSE;
      case "stream" -> d.hold = HoldMode.STREAM;
      default -> throw new GripInstructionException(HOLD,
          "must be set to either 'response' or 'stream', not " + echo(value));
    }
  }

  private static void channels(String value, Draft d) throws GripInstructionException {
    for (String text : split(CHANNEL, value, false)) {
      HeaderParameters.Element element = element(CHANNEL, text, HeaderParameters.First.LITERAL);
      String name = element.first();
      if (name.isEmpty()) {
        throw new GripInstructionException(CHANNEL, "empty channel name in " + echo(value));
      }
      String prevId = element.param("prev-id");
      List<String> filters = new ArrayList<>();
      for (HeaderParameters.Param param : element.params()) {
        if (param.name().equalsIgnoreCase("filter")) {
          if (param.value().isEmpty()) {
            throw new GripInstructionException(CHANNEL, "empty filter on channel " + echo(name));
          }
          filters.add(param.value());
        }
      }
      if (filters.size() > GripInstruction.MAX_FILTERS_PER_CHANNEL) {
        throw new GripInstructionException(CHANNEL, "channel " + echo(name) + " has "
            + filters.size() + " filters; at most " + GripInstruction.MAX_FILTERS_PER_CHANNEL
            + " are allowed");
      }
      d.channels.add(new ChannelSubscription(name, prevId, filters));
    }
  }

  private static void timeout(String value, Draft d) throws GripInstructionException {
    if (value != null) {
      d.timeout = GripInstruction.clampTimeout(seconds(TIMEOUT, "", value));
    }
  }

  /** Reads whole seconds from 0 to {@link Integer#MAX_VALUE}. */
  private static long seconds(String header, String what, String value)
      throws GripInstructionException {
    long n = Values.nonNegativeInt(value);
    if (n == -1) {
      throw new GripInstructionException(header, what + echo(value)
          + " is not a non-negative whole number of seconds");
    }
    if (n == -2) {
      throw new GripInstructionException(header, what + echo(value) + " is over the maximum of "
          + Integer.MAX_VALUE + " s");
    }
    return n;
  }

  private static void exposeHeaders(String value, Draft d) throws GripInstructionException {
    d.exposeHeaders.addAll(split(EXPOSE_HEADERS, value, false));
  }

  private static void keepAlive(String value, Draft d) throws GripInstructionException {
    if (value == null || value.isBlank()) {
      return;
    }
    HeaderParameters.Element element =
        element(KEEP_ALIVE, value, HeaderParameters.First.QUOTED_OR_LITERAL);
    if (element.first().isEmpty()) {
      throw new GripInstructionException(KEEP_ALIVE, "data must not be empty");
    }
    String mode = element.param("mode");
    if (mode == null || mode.isEmpty() || mode.equalsIgnoreCase("idle")) {
      d.keepAliveMode = KeepAliveMode.IDLE;
    } else if (mode.equalsIgnoreCase("interval")) {
      d.keepAliveMode = KeepAliveMode.INTERVAL;
    } else {
      throw new GripInstructionException(KEEP_ALIVE,
          "mode must be 'idle' or 'interval', not " + echo(mode));
    }
    String timeout = element.param("timeout");
    d.keepAliveTimeout = timeout == null ? GripInstruction.DEFAULT_KEEP_ALIVE_TIMEOUT
        : GripInstruction.clampKeepAlive(seconds(KEEP_ALIVE, "timeout ", timeout));
    String format = element.param("format");
    byte[] data = Values.headerBytes(element.first());
    if (format == null || format.isEmpty() || format.equalsIgnoreCase("raw")) {
      d.keepAliveData = data;
    } else if (format.equalsIgnoreCase("cstring")) {
      d.keepAliveData = unescape(data);
    } else if (format.equalsIgnoreCase("base64")) {
      d.keepAliveData = Values.base64(element.first());
      if (d.keepAliveData == null) {
        throw new GripInstructionException(KEEP_ALIVE, "data " + echo(element.first())
            + " is not valid base64");
      }
      if (d.keepAliveData.length == 0) {
        throw new GripInstructionException(KEEP_ALIVE, "data must not be empty");
      }
    } else {
      throw new GripInstructionException(KEEP_ALIVE,
          "format must be 'raw', 'cstring' or 'base64', not " + echo(format));
    }
  }

  /** Undoes the {@code cstring} escapes: backslash, CR, LF and {@code \xHH}. */
  static byte[] unescape(byte[] in) throws GripInstructionException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      byte b = in[i];
      if (b != '\\') {
        out.write(b);
        continue;
      }
      if (i + 1 >= in.length) {
        throw new GripInstructionException(KEEP_ALIVE,
            "cstring data ends with a lone backslash at index " + i);
      }
      byte c = in[i + 1];
      switch (c) {
        case '\\' -> out.write('\\');
        case 'r' -> out.write('\r');
        case 'n' -> out.write('\n');
        case 'x' -> {
          int hi = i + 2 < in.length ? hex(in[i + 2]) : -1;
          int lo = i + 3 < in.length ? hex(in[i + 3]) : -1;
          if (hi < 0 || lo < 0) {
            throw new GripInstructionException(KEEP_ALIVE,
                "cstring data has \\x without two hex digits at index " + i);
          }
          out.write(hi * 16 + lo);
          i += 2;
        }
        default -> throw new GripInstructionException(KEEP_ALIVE, String.format(Locale.ROOT,
            "cstring data has an unknown escape (backslash, then byte 0x%02x) at index %d",
            c & 0xff, i));
      }
      i++;
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

  private static void setMeta(String value, Draft d) throws GripInstructionException {
    for (String text : split(SET_META, value, false)) {
      List<HeaderParameters.Param> params;
      try {
        params = HeaderParameters.paramsOnly(text);
      } catch (HeaderParameters.SyntaxException e) {
        throw new GripInstructionException(SET_META, e.getMessage() + " in " + echo(text));
      }
      if (params.isEmpty()) {
        throw new GripInstructionException(SET_META, "expected name=value, not " + echo(text));
      }
      d.meta.put(params.get(0).name(), params.get(0).value());
    }
  }

  private static void status(String value, Draft d) throws GripInstructionException {
    if (value == null || value.isBlank()) {
      return;
    }
    String s = value.trim();
    int space = s.indexOf(' ');
    long code = Values.nonNegativeInt(space < 0 ? s : s.substring(0, space));
    if (code < 0 || code > 999) {
      throw new GripInstructionException(STATUS,
          echo(value) + " does not start with a status code of 0-999");
    }
    d.status = (int) code;
    String reason = space < 0 ? "" : s.substring(space + 1).trim();
    d.reason = reason.isEmpty() ? null : reason;
  }

  private static void links(String value, Draft d) throws GripInstructionException {
    for (String text : split(LINK, value, true)) {
      HeaderParameters.Element element = element(LINK, text, HeaderParameters.First.LINK);
      if (element.params().isEmpty()) {
        continue;
      }
      String target = element.first();
      if (target.length() <= 2 || target.charAt(0) != '<' || target.charAt(target.length() - 1) != '>') {
        throw new GripInstructionException(LINK, "expected <URL> at the start of " + echo(text));
      }
      String uri = target.substring(1, target.length() - 1).trim();
      for (int i = 0; i < uri.length(); i++) {
        char c = uri.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          throw new GripInstructionException(LINK, "link " + echo(uri)
              + " has a control character at index " + i);
        }
      }
      if (uri.isEmpty()) {
        throw new GripInstructionException(LINK, "empty link in " + echo(text));
      }
      String rel = element.param("rel");
      if (GripLink.NEXT.equalsIgnoreCase(rel)) {
        String timeout = element.param("timeout");
        Duration period = timeout == null ? GripInstruction.DEFAULT_LINK_TIMEOUT
            : GripInstruction.clampLink(seconds(LINK, "timeout ", timeout));
        d.nextLink = new GripLink(uri, GripLink.NEXT, period);
      } else if (GripLink.GONE.equalsIgnoreCase(rel)) {
        d.goneLink = new GripLink(uri, GripLink.GONE, GripInstruction.DEFAULT_LINK_TIMEOUT);
      }
    }
  }

  private static List<String> split(String header, String value, boolean links)
      throws GripInstructionException {
    try {
      return HeaderParameters.split(value, links);
    } catch (HeaderParameters.SyntaxException e) {
      throw new GripInstructionException(header, e.getMessage() + " in " + echo(value));
    }
  }

  private static HeaderParameters.Element element(String header, String text,
      HeaderParameters.First mode) throws GripInstructionException {
    try {
      return HeaderParameters.element(text, mode);
    } catch (HeaderParameters.SyntaxException e) {
      throw new GripInstructionException(header, e.getMessage() + " in " + echo(text));
    }
  }
}
