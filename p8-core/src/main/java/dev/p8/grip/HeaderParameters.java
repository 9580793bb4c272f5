package dev.p8.grip;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizer for GRIP header values of the form {@code first; name=value; name="quoted"}, several
 * of which may be separated by commas.
 *
 * <p>The rules follow Pushpin's so that every value Pushpin accepts means the same here:
 * commas inside double quotes do not split; the first part runs to the first semicolon and is
 * taken literally (quotes included); parameter values may be quoted strings with backslash
 * escapes. Two additions: an element starting with {@code <} runs to its {@code >}, so a link
 * may hold commas and semicolons; and, where the caller allows it, a first part that is one
 * whole quoted string is unquoted. Malformed input that Pushpin would silently drop or misread
 * (an unclosed quote, text after a closing quote) is reported instead.
 *
 * <p>Stateless; the methods are thread safe.
 */
final class HeaderParameters {

  /** One comma-separated element: its first part and its parameters in order. */
  record Element(String first, List<Param> params) {

    /** The value of the first parameter with this name (any case), or null if absent. */
    String param(String name) {
      for (Param p : params) {
        if (p.name().equalsIgnoreCase(name)) {
          return p.value();
        }
      }
      return null;
    }
  }

  /** A parameter; {@code value} is empty for a bare name. */
  record Param(String name, String value) { }

  /** How the first part of an element is read. */
  enum First {
    /** Up to the first semicolon, literally. */
    LITERAL,
    /** One whole quoted string is unquoted; anything else is read literally. */
    QUOTED_OR_LITERAL,
    /** A {@code <...>} link, brackets kept; anything else is read literally. */
    LINK
  }

  /** Says what is malformed and at which index; the caller adds the header name. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message) {
      super(message, null, false, false);
    }
  }

  private HeaderParameters() {}

  /**
   * Splits a header value at the commas that are outside double quotes and outside a leading
   * {@code <...>} (the latter only when {@code links}). Elements are trimmed; empty ones are
   * dropped.
   */
  static List<String> split(String value, boolean links) throws SyntaxException {
    List<String> out = new ArrayList<>();
    int start = 0;
    boolean blankSoFar = true;
    int i = 0;
    int n = value.length();
    while (i <= n) {
      if (i == n || value.charAt(i) == ',') {
        String element = value.substring(start, i).trim();
        if (!element.isEmpty()) {
          out.add(element);
        }
        start = ++i;
        blankSoFar = true;
        continue;
      }
      char c = value.charAt(i);
      if (c == '"') {
        i = skipQuoted(value, i);
      } else if (links && c == '<' && blankSoFar) {
        int close = value.indexOf('>', i + 1);
        if (close < 0) {
          throw new SyntaxException("'<' at index " + i + " is never closed by '>'");
        }
        i = close + 1;
      } else {
        i++;
      }
      blankSoFar &= isSpace(c);
    }
    return out;
  }

  /**
   * Parses one element whose first part is not a parameter ({@code first; a=b; c}).
   *
   * @param text  the element, already split off its list
   * @param mode  how to read the first part
   */
  static Element element(String text, First mode) throws SyntaxException {
    String s = text.trim();
    String first;
    int pos;
    if (mode == First.LINK && s.startsWith("<")) {
      int close = s.indexOf('>');
      if (close < 0) {
        throw new SyntaxException("'<' at index 0 is never closed by '>'");
      }
      first = s.substring(0, close + 1);
      pos = afterValue(s, close + 1);
    } else if (mode == First.QUOTED_OR_LITERAL && s.startsWith("\"") && wholeQuoted(s)) {
      int end = skipQuoted(s, 0);
      first = unquote(s, 0, end);
      pos = afterValue(s, end);
    } else {
      int semi = s.indexOf(';');
      first = (semi < 0 ? s : s.substring(0, semi)).trim();
      pos = semi < 0 ? s.length() : semi + 1;
    }
    return new Element(first, params(s, pos));
  }

  /** Parses an element that is parameters only ({@code a=b; c=d}). */
  static List<Param> paramsOnly(String text) throws SyntaxException {
    return params(text.trim(), 0);
  }

  private static boolean wholeQuoted(String s) {
    try {
      int end = skipQuoted(s, 0);
      afterValue(s, end);
      return true;
    } catch (SyntaxException e) {
      return false;
    }
  }

  /** Returns the index just after the ';' that must follow a value ending at {@code pos}. */
  private static int afterValue(String s, int pos) throws SyntaxException {
    int i = pos;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return i;
    }
    if (s.charAt(i) != ';') {
      throw new SyntaxException("expected ';' at index " + i);
    }
    return i + 1;
  }

  private static List<Param> params(String s, int from) throws SyntaxException {
    List<Param> out = new ArrayList<>();
    int pos = from;
    while (pos < s.length()) {
      int stop = pos;
      while (stop < s.length() && s.charAt(stop) != '=' && s.charAt(stop) != ';') {
        stop++;
      }
      String name = s.substring(pos, stop).trim();
      if (stop == s.length() || s.charAt(stop) == ';') {
        if (!name.isEmpty()) {
          out.add(new Param(name, ""));
        }
        pos = stop + 1;
        continue;
      }
      if (name.isEmpty()) {
        throw new SyntaxException("parameter without a name at index " + stop);
      }
      int v = stop + 1;
      while (v < s.length() && isSpace(s.charAt(v))) {
        v++;
      }
      if (v < s.length() && s.charAt(v) == '"') {
        int end = skipQuoted(s, v);
        out.add(new Param(name, unquote(s, v, end)));
        pos = afterValue(s, end);
      } else {
        int semi = s.indexOf(';', v);
        int end = semi < 0 ? s.length() : semi;
        out.add(new Param(name, s.substring(v, end).trim()));
        pos = end + 1;
      }
    }
    return out;
  }

  /** Returns the index just after the closing quote of the quoted string starting at {@code open}. */
  private static int skipQuoted(String s, int open) throws SyntaxException {
    int i = open + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          break;
        }
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    throw new SyntaxException("quoted string at index " + open + " is never closed");
  }

  private static String unquote(String s, int open, int end) {
    StringBuilder sb = new StringBuilder(end - open);
    for (int i = open + 1; i < end - 1; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        c = s.charAt(++i);
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
