package dev.p8.internal.text;

/** Shows untrusted text inside an error message safely. */
public final class Quoting {

  private Quoting() {}

  /**
   * Double-quotes text for a message: control characters as {@code \xHH}, quotes and
   * backslashes escaped, cut after {@code max} characters, so a message stays one readable
   * line whatever the input.
   */
  public static String quote(String text, int max) {
    StringBuilder out = new StringBuilder("\"");
    int end = Math.min(text.length(), max);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    out.append('"');
    if (text.length() > end) {
      out.append("...");
    }
    return out.toString();
  }
}
