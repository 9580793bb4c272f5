package dev.p8.internal.route;

import dev.p8.route.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a Pushpin routes file: one route per line in {@link Route#parse} syntax, {@code #}
 * comments and blank lines. Lines end with LF, CRLF or CR. Stateless and thread safe.
 *
 * <p>Pushpin logs a bad line and skips it; P8 refuses the whole file instead, so that a typo
 * cannot silently drop a route.
 */
public final class RoutesFile {

  private RoutesFile() {
  }

  /**
   * Parses a routes file.
   *
   * @param content    the file's text
   * @param sourceName the name to report in errors, such as the file's path
   * @return the routes in file order, duplicates included (see {@link RouteTable#of})
   * @throws RoutesFileException naming the source, the line and the reason for the first bad
   *     line
   */
  public static List<Route> parse(String content, String sourceName)
      throws RoutesFileException {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(sourceName, "sourceName");
    List<Route> routes = new ArrayList<>();
    String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
    String[] lines = text.split("\r\n|\r|\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (isBlankOrComment(line)) {
        continue;
      }
      try {
        routes.add(Route.parse(line));
      } catch (IllegalArgumentException e) {
        throw new RoutesFileException(sourceName, i + 1, e.getMessage(), e);
      }
    }
    return List.copyOf(routes);
  }

  private static boolean isBlankOrComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '#') {
        return true;
      }
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }
}
