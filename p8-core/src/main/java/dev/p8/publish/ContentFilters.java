package dev.p8.publish;

import java.util.List;
import java.util.Objects;

/** Checks the {@code content-filters} list the three formats share. */
final class ContentFilters {

  private ContentFilters() {}

  static List<String> check(List<String> names) {
    Objects.requireNonNull(names, "contentFilters");
    for (String name : names) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("content filter names must not be null or empty");
      }
    }
    return List.copyOf(names);
  }
}
