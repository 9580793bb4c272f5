package dev.p8.internal.ws;

import java.util.Optional;

/** The GRIP WebSocket extension as a backend accepts it in {@code Sec-WebSocket-Extensions}. */
public final class GripExtension {

  /** What P8 offers to backends. */
  public static final String OFFER = "grip";

  private static final String DEFAULT_PREFIX = "m:";

  private GripExtension() {}

  /**
   * The message prefix the backend chose, if it accepted the extension: {@code grip} gives
   * {@code m:}, {@code grip; message-prefix="x"} gives {@code x}. Never throws.
   *
   * @param header the backend's {@code Sec-WebSocket-Extensions} value, possibly null
   * @return the prefix, or empty when the backend did not accept {@code grip}
   */
  public static Optional<String> acceptedPrefix(String header) {
    if (header == null) {
      return Optional.empty();
    }
    for (String extension : splitOutsideQuotes(header, ',')) {
      String[] parts = splitOutsideQuotes(extension, ';');
      if (parts.length == 0 || !parts[0].trim().equalsIgnoreCase(OFFER)) {
        continue;
      }
      String prefix = DEFAULT_PREFIX;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        int eq = p.indexOf('=');
        if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("message-prefix")) {
          String v = p.substring(eq + 1).trim();
          if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
          }
          prefix = v;
        }
      }
      return Optional.of(prefix);
    }
    return Optional.empty();
  }

  private static String[] splitOutsideQuotes(String s, char separator) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out.toArray(new String[0]);
  }
}
