package dev.p8.grip;

import java.util.List;
import java.util.Objects;

/**
 * One channel a held request subscribes to, as a {@code Grip-Channel} element or a JSON
 * {@code hold.channels} entry gives it. Immutable and thread safe.
 *
 * @param name    the channel name as the backend gave it, never empty; the route prefix is not
 *                applied here
 * @param prevId  the id of the last item the backend knows of on this channel, or null when
 *                not given; kept as given, so it may be empty
 * @param filters the filter names in the order given, at most
 *                {@link GripInstruction#MAX_FILTERS_PER_CHANNEL}; never null
 */
public record ChannelSubscription(String name, String prevId, List<String> filters) {

  /**
   * Validates the parts and copies the filter list.
   *
   * @param name the channel name
   * @param prevId the prev-id, or null
   * @param filters the filter names
   * @throws NullPointerException     if {@code name} or {@code filters} is null
   * @throws IllegalArgumentException if the name is empty, a filter is null or empty, or there
   *                                  are more than {@link GripInstruction#MAX_FILTERS_PER_CHANNEL}
   *                                  filters
   */
  public ChannelSubscription {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(filters, "filters");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("channel name must not be empty");
    }
    if (filters.size() > GripInstruction.MAX_FILTERS_PER_CHANNEL) {
      throw new IllegalArgumentException("channel has " + filters.size() + " filters; at most "
          + GripInstruction.MAX_FILTERS_PER_CHANNEL + " are allowed");
    }
    for (String filter : filters) {
      if (filter == null || filter.isEmpty()) {
        throw new IllegalArgumentException("channel filter names must not be null or empty");
      }
    }
    filters = List.copyOf(filters);
  }

  /**
   * A subscription with no prev-id and no filters.
   *
   * @param name the channel name, not empty
   * @return the subscription
   */
  public static ChannelSubscription of(String name) {
    return new ChannelSubscription(name, null, List.of());
  }
}
