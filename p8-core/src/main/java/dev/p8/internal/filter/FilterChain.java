package dev.p8.internal.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The filters of one subscription, compiled once by {@link Filters#compile} and run per
 * delivery. A delivery asks {@link #sendAllowed} first, then (only when the subscriber gets the
 * item) {@link #transform}. With no filters both are free: {@code transform} returns its
 * argument without copying.
 *
 * <p>Filters run in the order the subscription names them. Pushpin interleaves delivery and
 * content filters in that order; since no content filter drops and no delivery filter reads
 * content, asking all delivery filters first gives the same answer, except that an item that is
 * dropped is never rendered, so a content error in a dropped item goes unnoticed.
 *
 * <p>Immutable and thread safe.
 */
public final class FilterChain {

  static final FilterChain EMPTY = new FilterChain(List.of(), List.of());

  private final List<String> names;
  private final Filter[] delivery;
  private final Filter[] content;
  private final Filter[] response;
  private final List<String> contentFilterNames;

  FilterChain(List<String> names, List<Filter> filters) {
    this.names = List.copyOf(names);
    List<Filter> d = new ArrayList<>();
    List<Filter> c = new ArrayList<>();
    List<Filter> r = new ArrayList<>();
    List<String> cn = new ArrayList<>();
    for (Filter f : filters) {
      if (f.actsOnDelivery) {
        d.add(f);
      }
      if (f.actsOnContent) {
        c.add(f);
        cn.add(f.wireName);
      }
      if (f.actsOnResponse) {
        r.add(f);
      }
    }
    this.delivery = d.toArray(new Filter[0]);
    this.content = c.toArray(new Filter[0]);
    this.response = r.toArray(new Filter[0]);
    this.contentFilterNames = List.copyOf(cn);
  }

  /**
   * The names this chain was compiled from, unknown ones left out.
   *
   * @return an unmodifiable list
   */
  public List<String> names() {
    return names;
  }

  /**
   * The names of the filters that change content, in order. A published format with
   * {@code content-filters} reaches this subscriber only if its list equals this one.
   *
   * @return an unmodifiable list, empty when no filter changes content
   */
  public List<String> contentFilterNames() {
    return contentFilterNames;
  }

  /**
   * Whether a published format's {@code content-filters} let it reach a subscriber: absent, or
   * exactly the chain's content-changing filters (none for a subscriber without filters).
   *
   * @param chain       the subscriber's filters on the channel, or null for none
   * @param itemFilters the format's {@code content-filters}, empty when it has none
   * @return true when the format may be delivered to that subscriber
   */
  public static boolean contentFiltersMatch(FilterChain chain, Optional<List<String>> itemFilters) {
    if (itemFilters.isEmpty()) {
      return true;
    }
    return itemFilters.get().equals(chain == null ? List.of() : chain.contentFilterNames());
  }

  /** Whether the chain has no filters at all. */
  public boolean isEmpty() {
    return names.isEmpty();
  }

  /**
   * Checks a published format's {@code content-filters} against this subscription, as Pushpin
   * does: a format that names content filters is meant only for subscribers whose content
   * filters are exactly those, in that order.
   *
   * @param itemContentFilters the format's {@code content-filters}, or null when it has none
   * @return true if the item may go to this subscriber
   */
  public boolean contentFiltersMatch(List<String> itemContentFilters) {
    return itemContentFilters == null || itemContentFilters.equals(contentFilterNames);
  }

  /**
   * Runs the delivery filters.
   *
   * @param context the subscriber and the item's meta
   * @return false if a filter drops the item for this subscriber
   */
  public boolean sendAllowed(FilterContext context) {
    for (Filter f : delivery) {
      if (!f.allows(context)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the content filters over a published item's content.
   *
   * @param context the subscriber and the item's meta
   * @param content the content; not changed
   * @return the content for this subscriber: {@code content} itself when no filter changed it
   * @throws FilterException if a filter cannot render the content; Pushpin then fails the
   *                         delivery (a response hold answers 502, a stream or WebSocket is
   *                         closed)
   */
  public byte[] transform(FilterContext context, byte[] content) {
    return run(this.content, context, content);
  }

  /**
   * Runs the filters that also apply to the first response of a held stream or a next-link
   * response ({@code build-id}).
   *
   * @param context the subscriber, with empty publish meta
   * @param body    the response body
   * @return the body for this subscriber
   * @throws FilterException if a filter cannot render the body
   */
  public byte[] transformResponse(FilterContext context, byte[] body) {
    return run(response, context, body);
  }

  private static byte[] run(Filter[] filters, FilterContext context, byte[] in) {
    byte[] out = in;
    for (Filter f : filters) {
      out = f.apply(context, out);
    }
    return out;
  }

  @Override
  public String toString() {
    return "FilterChain" + names;
  }
}
