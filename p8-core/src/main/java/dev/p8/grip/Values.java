package dev.p8.grip;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Small value helpers shared by the header and JSON parsers. Stateless. */
final class Values {

  /** Longest piece of a value shown in an error message. */
  static final int MAX_ECHO = 60;

  private Values() {}

  /**
   * Quotes a value for an error message: cut after {@link #MAX_ECHO} characters, control and
   * other invisible characters shown as {@code ?}, so the message stays one short line.
   */
  static String echo(String value) {
    StringBuilder sb = new StringBuilder("'");
    int end = Math.min(value.length(), MAX_ECHO);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      boolean visible = c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)
          && !Character.isSurrogate(c) && Character.getType(c) != Character.FORMAT;
      sb.append(visible ? c : '?');
    }
    if (value.length() > end) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }

  /**
   * Reads a non-negative decimal integer with an optional {@code +}, as Pushpin does.
   *
   * @return the value, or -1 when the text is not such a number, or -2 when it is over
   *     {@link Integer#MAX_VALUE}
   */
  static long nonNegativeInt(String text) {
    String s = text.trim();
    if (s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
      if (n > Integer.MAX_VALUE) {
        return -2;
      }
    }
    return n;
  }

  /**
   * The bytes of a header value: one byte per character when every character is at most
   * U+00FF (HTTP servers decode header bytes as ISO-8859-1, so this gives back the bytes on the
   * wire), UTF-8 otherwise.
   */
  static byte[] headerBytes(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 0xff) {
        return value.getBytes(StandardCharsets.UTF_8);
      }
    }
    return value.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Decodes standard base64 (RFC 4648 section 4), padding optional, spaces and line breaks
   * ignored.
   *
   * @return the bytes, or null when the text is not base64
   */
  static byte[] base64(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        sb.append(c);
      }
    }
    try {
      return Base64.getDecoder().decode(sb.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
