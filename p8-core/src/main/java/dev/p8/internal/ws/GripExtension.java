package dev.p8.internal.ws;

import java.util.Optional;

/**
 * The GRIP WebSocket extension as a backend accepts it in {@code Sec-WebSocket-Extensions}.
 * Stateless and thread safe.
 */
public final class GripExtension {

  /** What P8 offers to backends. */
  public static final String OFFER = "grip";

  private static final String DEFAULT_PREFIX = "m:";
  private static final String PREFIX_PARAM = "message-prefix";

  private GripExtension() {}

  /**
   * The message prefix the backend chose, if it accepted the extension: {@code grip} gives
   * {@code m:}, {@code grip; message-prefix="x"} (or unquoted {@code x}) gives {@code x}, and a
   * bare {@code message-prefix} the empty prefix. The value may list several extensions
   * separated by commas (outside quotes); join several header lines with {@code ", "}.
   *
   * <p>Like Pushpin, a {@code grip} entry whose parameters cannot be parsed (an unterminated
   * quote, a {@code =} with no value) counts as not accepted. Unlike Pushpin, which compares each
   * header line with {@code grip} as a whole, entries are split at commas and names compared
   * ignoring case and surrounding spaces. Never throws.
   *
   * @param header the backend's {@code Sec-WebSocket-Extensions} value, possibly null
   * @return the prefix, or empty when the backend did not accept {@code grip}
   */
  public static Optional<String> acceptedPrefix(String header) {
    if (header == null) {
      return Optional.empty();
    }
    Cursor c = new Cursor(header);
    while (!c.atEnd()) {
      String name = c.token(",;").trim();
      if (!name.equalsIgnoreCase(OFFER)) {
        if (!c.skipEntry()) {
          return Optional.empty();
        }
        continue;
      }
      return c.gripParams();
    }
    return Optional.empty();
  }

  /** A read position in the header value. */
  private static final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    /** Reads up to (not including) one of {@code stops} or the end. */
    String token(String stops) {
      int start = pos;
      while (pos < s.length() && stops.indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      return s.substring(start, pos);
    }

    /** Skips the rest of an entry and its comma; false if a quote is unterminated. */
    boolean skipEntry() {
      while (pos < s.length()) {
        char ch = s.charAt(pos++);
        if (ch == ',') {
          return true;
        }
        if (ch == '"' && quoted() == null) {
          return false;
        }
      }
      return true;
    }

    /** After {@code "}: the unescaped content up to the closing quote, or null if there is none. */
    String quoted() {
      StringBuilder out = new StringBuilder();
      while (pos < s.length()) {
        char ch = s.charAt(pos++);
        if (ch == '"') {
          return out.toString();
        }
        if (ch == '\\') {
          if (pos >= s.length()) {
            return null;
          }
          ch = s.charAt(pos++);
        }
        out.append(ch);
      }
      return null;
    }

    /** Reads the parameters of the grip entry, positioned just after its name. */
    Optional<String> gripParams() {
      String prefix = DEFAULT_PREFIX;
      while (pos < s.length() && s.charAt(pos) == ';') {
        pos++;
        String name = token("=;,").trim();
        String value = "";
        if (pos < s.length() && s.charAt(pos) == '=') {
          pos++;
          if (pos >= s.length()) {
            return Optional.empty();
          }
          while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
          }
          if (pos < s.length() && s.charAt(pos) == '"') {
            pos++;
            value = quoted();
            if (value == null) {
              return Optional.empty();
            }
            token(";,");
          } else {
            value = token(";,").trim();
          }
        }
        if (name.equalsIgnoreCase(PREFIX_PARAM)) {
          prefix = value;
        }
      }
      return Optional.of(prefix);
    }
  }
}
