package dev.p8.route;

import dev.p8.internal.text.Quoting;
import java.util.ArrayList;
import java.util.List;

/**
 * The token syntax of a routes-file line, shared by {@link Route} and {@link Target}: reading a
 * line into sections and writing values back so that reading them again gives the same text.
 *
 * <p>A line is a list of sections separated by spaces or tabs; {@code #} outside quotes ends
 * the line. A section is a value followed by comma-separated options {@code name[=value]}. Any
 * part may contain double-quoted stretches in which {@code \\} and {@code \"} are the only
 * escapes. When the first part of a section contains {@code =}, the section has an empty value
 * and that part is its first option, so {@code id=x} and {@code ,id=x} mean the same.
 *
 * <p>Stateless and thread safe.
 */
final class RouteSyntax {

  /** One option of a section; the value is empty for a bare flag. */
  record Option(String name, String value) {
  }

  /** One space-separated section: its leading value and its options in line order. */
  record Section(String value, List<Option> options) {
  }

  private static final int MAX_QUOTED = 40;

  private RouteSyntax() {
  }

  /**
   * Splits a line into sections.
   *
   * @param line the line, without its line terminator
   * @return the sections, empty for a blank or comment-only line
   * @throws IllegalArgumentException naming the column and the token when a quote or escape
   *     is broken or an option is empty, and the column of a CR or LF
   */
  static List<Section> parseLine(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '\n' || line.charAt(i) == '\r') {
        throw new IllegalArgumentException("line break at column " + (i + 1)
            + "; a route is a single line");
      }
    }
    List<Section> sections = new ArrayList<>();
    int index = 0;
    while (true) {
      while (index < line.length() && isSeparator(line.charAt(index))) {
        index++;
      }
      if (index >= line.length() || line.charAt(index) == '#') {
        return sections;
      }
      int tokenStart = index;
      String value = null;
      List<Option> options = new ArrayList<>();
      boolean first = true;
      while (true) {
        int partStart = index;
        StringBuilder part = new StringBuilder();
        while (index < line.length()) {
          char c = line.charAt(index);
          if (c == ',' || c == '#' || isSeparator(c)) {
            break;
          }
          if (c == '"') {
            index = readQuoted(line, index, tokenStart, part);
          } else {
            part.append(c);
            index++;
          }
        }
        String text = part.toString();
        if (first && text.indexOf('=') < 0) {
          value = text;
        } else {
          if (first) {
            value = "";
          }
          options.add(toOption(text, line, tokenStart, partStart));
        }
        first = false;
        if (index < line.length() && line.charAt(index) == ',') {
          index++;
          continue;
        }
        break;
      }
      sections.add(new Section(value, List.copyOf(options)));
    }
  }

  private static int readQuoted(String line, int quoteAt, int tokenStart, StringBuilder out) {
    int at = quoteAt + 1;
    while (at < line.length()) {
      char c = line.charAt(at);
      if (c == '"') {
        return at + 1;
      }
      if (c == '\\') {
        at++;
        if (at >= line.length()) {
          throw error(line, tokenStart, at, "unterminated escape sequence");
        }
        char escaped = line.charAt(at);
        if (escaped != '\\' && escaped != '"') {
          throw error(line, tokenStart, at,
              "unexpected escape \\" + escaped + " (only \\\\ and \\\" are allowed)");
        }
        out.append(escaped);
      } else {
        out.append(c);
      }
      at++;
    }
    throw error(line, tokenStart, quoteAt, "unterminated quoted section");
  }

  private static Option toOption(String text, String line, int tokenStart, int partStart) {
    if (text.isEmpty()) {
      throw error(line, tokenStart, partStart, "expected an option after ','");
    }
    int equals = text.indexOf('=');
    String name = equals < 0 ? text : text.substring(0, equals);
    String value = equals < 0 ? "" : text.substring(equals + 1);
    if (name.isEmpty()) {
      throw error(line, tokenStart, partStart, "empty option name");
    }
    return new Option(name, value);
  }

  private static IllegalArgumentException error(String line, int tokenStart, int at,
      String reason) {
    int tokenEnd = tokenStart;
    while (tokenEnd < line.length() && !isSeparator(line.charAt(tokenEnd))) {
      tokenEnd++;
    }
    return new IllegalArgumentException("token " + quote(line.substring(tokenStart, tokenEnd))
        + ", column " + (at + 1) + ": " + reason);
  }

  static boolean isSeparator(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * Writes a value or option name so that {@link #parseLine} reads it back unchanged: as is
   * when it holds no separator, comma, quote or {@code #}, else double-quoted with escapes.
   */
  static void appendText(StringBuilder out, String text) {
    boolean plain = !text.isEmpty();
    for (int i = 0; i < text.length() && plain; i++) {
      char c = text.charAt(i);
      plain = !(isSeparator(c) || c == ',' || c == '"' || c == '#' || c == '\\');
    }
    if (plain) {
      out.append(text);
      return;
    }
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    out.append('"');
  }

  /** Appends {@code ,name} or {@code ,name=value} for each option. */
  static void appendOptions(StringBuilder out, List<Option> options) {
    for (Option option : options) {
      out.append(',');
      appendText(out, option.name());
      if (!option.value().isEmpty()) {
        out.append('=');
        appendText(out, option.value());
      }
    }
  }

  static String quote(String text) {
    return Quoting.quote(text, MAX_QUOTED);
  }
}
