package dev.p8.internal.filter;

import dev.p8.grip.GripInstruction;
import dev.p8.internal.text.Quoting;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Compiles the filter names of a subscription into a {@link FilterChain}.
 *
 * <p>Pushpin 1.x ignores names it does not know, silently, at every step: a subscription with
 * {@code filter=typo} is accepted and the filter does nothing. {@link #compile(List, Consumer)}
 * does the same and reports each ignored name, so the adapter can log it;
 * {@link #compile(List)} refuses them instead. {@code http-check} and {@code http-modify}
 * exist only in Pushpin 2 and need network calls; P8 does not support them.
 *
 * <p>Stateless and thread safe.
 */
public final class Filters {

  private Filters() {}

  /**
   * Every filter name P8 knows, in Pushpin's order.
   *
   * @return {@code skip-self, skip-users, require-sub, build-id, var-subst}
   */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (Filter f : Filter.values()) {
      names.add(f.wireName);
    }
    return List.copyOf(names);
  }

  /**
   * Compiles filter names strictly.
   *
   * @param names the names in order, at most {@link GripInstruction#MAX_FILTERS_PER_CHANNEL}
   * @return the chain; a shared empty chain for no names
   * @throws FilterException naming the first unknown filter, or if there are too many
   */
  public static FilterChain compile(List<String> names) {
    return compile(names, name -> {
      throw new FilterException("unknown filter " + Quoting.quote(name, 40) + "; known filters: "
          + String.join(", ", names()));
    });
  }

  /**
   * Compiles filter names as Pushpin does: unknown names are left out.
   *
   * @param names     the names in order, at most {@link GripInstruction#MAX_FILTERS_PER_CHANNEL}
   * @param onUnknown told of each unknown name (for a log line); it may throw to refuse it
   * @return the chain of the known filters
   * @throws FilterException if there are too many names
   */
  public static FilterChain compile(List<String> names, Consumer<String> onUnknown) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(onUnknown, "onUnknown");
    if (names.isEmpty()) {
      return FilterChain.EMPTY;
    }
    if (names.size() > GripInstruction.MAX_FILTERS_PER_CHANNEL) {
      throw new FilterException("too many filters (" + names.size() + "); at most "
          + GripInstruction.MAX_FILTERS_PER_CHANNEL + " are allowed per channel");
    }
    List<String> known = new ArrayList<>();
    List<Filter> filters = new ArrayList<>();
    for (String name : names) {
      Filter f = name == null ? null : Filter.byWireName(name);
      if (f == null) {
        onUnknown.accept(String.valueOf(name));
        continue;
      }
      known.add(name);
      filters.add(f);
    }
    return filters.isEmpty() ? FilterChain.EMPTY : new FilterChain(known, filters);
  }
}
