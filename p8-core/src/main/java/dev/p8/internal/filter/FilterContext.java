package dev.p8.internal.filter;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * What a filter may look at for one delivery. Build it once per subscriber (its meta and
 * channels change rarely) and pair it with each item's meta through
 * {@link #withPublishMeta(Map)}, which does not copy.
 *
 * @param subscriptionMeta the subscriber's meta, from {@code Grip-Set-Meta} or a WebSocket
 *                         {@code set-meta} ({@code user}, {@code id_format}, ...)
 * @param publishMeta      the item's {@code meta} ({@code sender}, {@code skip_users},
 *                         {@code require_sub}, ...)
 * @param prevIds          every channel the subscriber's connection is subscribed to, mapped to
 *                         its prev-id, or to null when it has none; {@code require-sub} reads
 *                         the keys and {@code build-id} the values
 */
public record FilterContext(Map<String, String> subscriptionMeta,
    Map<String, String> publishMeta, Map<String, String> prevIds) {

  /**
   * Checks that no part is null. The maps are not copied: the caller must not change them
   * while a delivery runs.
   */
  public FilterContext {
    Objects.requireNonNull(subscriptionMeta, "subscriptionMeta");
    Objects.requireNonNull(publishMeta, "publishMeta");
    Objects.requireNonNull(prevIds, "prevIds");
  }

  /**
   * A context for a subscriber, with no publish meta yet.
   *
   * @param subscriptionMeta the subscriber's meta
   * @param prevIds          the subscriber's channels and their prev-ids
   * @return the context
   */
  public static FilterContext subscriber(Map<String, String> subscriptionMeta,
      Map<String, String> prevIds) {
    return new FilterContext(subscriptionMeta, Collections.emptyMap(), prevIds);
  }

  /**
   * This context for one item.
   *
   * @param meta the item's meta
   * @return a context sharing this one's subscriber maps
   */
  public FilterContext withPublishMeta(Map<String, String> meta) {
    return new FilterContext(subscriptionMeta, meta, prevIds);
  }
}
