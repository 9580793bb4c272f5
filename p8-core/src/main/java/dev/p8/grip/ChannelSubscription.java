package dev.p8.grip;

import java.util.List;
import java.util.Objects;

/**
 * One channel a held request subscribes to ({@code Grip-Channel}).
 *
 * @param name    the channel name, never empty
 * @param prevId  the id of the last item the backend knows of on this channel, or null
 * @param filters the filter names, at most {@link GripInstruction#MAX_FILTERS_PER_CHANNEL}
 */
public record ChannelSubscription(String name, String prevId, List<String> filters) {

  /** Validates the name and copies the filter list. */
  public ChannelSubscription {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("channel name must not be empty");
    }
    filters = List.copyOf(filters);
  }

  /** A subscription with no prev-id and no filters. */
  public static ChannelSubscription of(String name) {
    return new ChannelSubscription(name, null, List.of());
  }
}
