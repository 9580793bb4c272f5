package dev.p8.grip;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits GRIP header values of the form {@code value; name=param; name="quoted, param"}, with
 * several such elements separated by commas. Quoted strings take {@code \\} escapes, and a
 * value in angle brackets ({@code <url>}) may hold commas and semicolons. Not thread safe; a
 * new parser per value.
 */
final class HeaderParameters {

  /** One comma-separated element: its leading value and its parameters. */
  record Element(String value, List<Param> params) {
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

  /** Thrown with a reason; the caller adds the header name and value. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message) {
      super(message);
    }
  }

  private final String s;
  private int pos;

  private HeaderParameters(String s) {
    this.s = s;
  }

  /** Parses a comma-separated list of elements; empty elements are skipped. */
  static List<Element> list(String value) throws SyntaxException {
    HeaderParameters p = new HeaderParameters(value);
    List<Element> out = new ArrayList<>();
    while (true) {
      p.skipSpace();
      if (p.pos >= p.s.length()) {
        return out;
      }
      if (p.s.charAt(p.pos) == ',') {
        p.pos++;
        continue;
      }
      out.add(p.element(true));
    }
  }

  /** Parses a comma-separated list of {@code name=value} pairs; values may be quoted. */
  static List<Param> pairs(String value) throws SyntaxException {
    HeaderParameters p = new HeaderParameters(value);
    List<Param> out = new ArrayList<>();
    while (true) {
      p.skipSpace();
      if (p.pos >= p.s.length()) {
        return out;
      }
      if (p.s.charAt(p.pos) == ',') {
        p.pos++;
        continue;
      }
      int start = p.pos;
      String name = p.token(true, true).trim();
      p.skipSpace();
      if (name.isEmpty() || p.pos >= p.s.length() || p.s.charAt(p.pos) != '=') {
        throw new SyntaxException("expected name=value at index " + start);
      }
      p.pos++;
      p.skipSpace();
      out.add(new Param(name, p.token(true, false)));
      p.skipSpace();
      if (p.pos < p.s.length() && p.s.charAt(p.pos) != ',') {
        throw new SyntaxException("expected ',' at index " + p.pos);
      }
    }
  }

  /** Parses one element in which commas are ordinary characters. */
  static Element single(String value) throws SyntaxException {
    HeaderParameters p = new HeaderParameters(value);
    p.skipSpace();
    Element e = p.element(false);
    p.skipSpace();
    if (p.pos < p.s.length()) {
      throw new SyntaxException("unexpected '" + p.s.charAt(p.pos) + "' at index " + p.pos);
    }
    return e;
  }

  private Element element(boolean commaEnds) throws SyntaxException {
    String value = token(commaEnds, false);
    List<Param> params = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= s.length() || (commaEnds && s.charAt(pos) == ',')) {
        return new Element(value, params);
      }
      if (s.charAt(pos) != ';') {
        throw new SyntaxException("expected ';' at index " + pos);
      }
      pos++;
      skipSpace();
      String name = token(commaEnds, true).trim();
      if (name.isEmpty()) {
        if (pos >= s.length() || s.charAt(pos) == ';' || (commaEnds && s.charAt(pos) == ',')) {
          continue;
        }
        throw new SyntaxException("empty parameter name at index " + pos);
      }
      String paramValue = "";
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '=') {
        pos++;
        skipSpace();
        paramValue = token(commaEnds, false);
      }
      params.add(new Param(name, paramValue));
    }
  }

  /** Reads a quoted string, an angle-bracketed value, or bare text up to a delimiter. */
  private String token(boolean commaEnds, boolean stopAtEquals) throws SyntaxException {
    if (pos < s.length() && s.charAt(pos) == '"') {
      return quoted();
    }
    if (pos < s.length() && s.charAt(pos) == '<') {
      int end = s.indexOf('>', pos + 1);
      if (end < 0) {
        throw new SyntaxException("'<' at index " + pos + " is never closed by '>'");
      }
      String v = s.substring(pos + 1, end);
      pos = end + 1;
      return v;
    }
    int start = pos;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ';' || (commaEnds && c == ',') || (stopAtEquals && c == '=')) {
        break;
      }
      pos++;
    }
    return s.substring(start, pos).trim();
  }

  private String quoted() throws SyntaxException {
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (pos >= s.length()) {
          break;
        }
        c = s.charAt(pos++);
      }
      sb.append(c);
    }
    throw new SyntaxException("quoted string at index " + start + " is never closed");
  }

  private void skipSpace() {
    while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
      pos++;
    }
  }
}
