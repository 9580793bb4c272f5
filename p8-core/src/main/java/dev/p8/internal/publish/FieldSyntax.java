package dev.p8.internal.publish;

/**
 * Syntax checks for HTTP header names, header values and reason phrases (RFC 9110 §5.1, §5.5,
 * RFC 9112 §4), shared by the item builders and the JSON decoder so both refuse the same
 * strings. Stateless and thread safe.
 */
public final class FieldSyntax {

  private FieldSyntax() {
  }

  /**
   * Tells whether {@code name} is a non-empty HTTP token, the syntax of a header name.
   *
   * @param name the candidate, not null
   * @return true when every character is a token character and there is at least one
   */
  public static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTokenChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tells whether {@code text} may be sent as a header value or reason phrase: no control
   * characters other than horizontal tab, so that a value can never end the header line.
   *
   * @param text the candidate, not null
   * @return true when the text contains no CR, LF, NUL or other control character
   */
  public static boolean isFieldText(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenChar(char c) {
    if (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
