package dev.p8.internal.hold;

import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.hub.Subscriber;
import dev.p8.publish.Item;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What response and stream holds share: membership in the hub for a list of channels and a
 * single transition to finished, after which deliveries and timers are ignored.
 *
 * <p>Not thread safe: every method runs on the connection's executor.
 */
public abstract class Hold implements Subscriber {

  /** Told when a hold ends, for accounting and tests. */
  public interface Listener {
    /** The hold ended; it has left every channel. */
    void released(Hold hold);
  }

  private final ChannelHub hub;
  private List<String> channels;
  private final Listener listener;
  final HeldConnection connection;
  private boolean finished;
  private Map<String, FilterChain> filters = Map.of();
  private FilterContext subscriber;

  Hold(ChannelHub hub, HeldConnection connection, List<String> channels, Listener listener) {
    this.hub = hub;
    this.connection = connection;
    this.channels = List.copyOf(channels);
    this.listener = listener;
  }

  /** The channels this hold listens to. */
  public List<String> channels() {
    return channels;
  }

  @Override
  public Executor executor() {
    return connection.executor();
  }

  /**
   * Sets the subscription filters ({@code Grip-Channel: c; filter=skip-self}) and the subscriber
   * they judge. Call before {@link #start()}; channels without filters are left out of the map.
   *
   * @param byChannel  the filter chain of each filtered channel, prefixed names
   * @param subscriber the connection's meta and its channels with their prev-ids
   */
  public final void filters(Map<String, FilterChain> byChannel, FilterContext subscriber) {
    this.filters = Map.copyOf(byChannel);
    this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
  }

  /** The filters of a channel, or null when it has none: the common case costs one check. */
  final FilterChain filtersOf(String channel) {
    return filters.isEmpty() ? null : filters.get(channel);
  }

  /**
   * Whether a format's {@code content-filters} let it reach this hold on the channel: absent,
   * or exactly the channel's content-changing filters (none when the channel has no filters).
   */
  final boolean contentFiltersMatch(String channel, Optional<List<String>> itemFilters) {
    return itemFilters.isEmpty() || FilterChain.contentFiltersMatch(filtersOf(channel), itemFilters);
  }

  /** The filter context for one item on this hold. */
  final FilterContext context(Item item) {
    return subscriber.withPublishMeta(item.meta());
  }

  /**
   * Moves the hold to another set of channels (a next-link response replaced the instructions):
   * leaves the channels not in {@code next}, joins the new ones, keeps the rest.
   */
  final void resubscribe(List<String> next) {
    List<String> old = channels;
    channels = List.copyOf(next);
    for (String channel : old) {
      if (!channels.contains(channel)) {
        hub.unsubscribe(channel, this);
      }
    }
    for (String channel : channels) {
      if (!old.contains(channel)) {
        hub.subscribe(channel, this);
      }
    }
  }

  /** Subscribes to every channel and starts the timers. */
  public final void start() {
    for (String channel : channels) {
      hub.subscribe(channel, this);
    }
    started();
  }

  /** The client went away: leave every channel and stop the timers, sending nothing. */
  public final void clientClosed() {
    release();
  }

  /** True once the hold answered, closed or lost its client. */
  public final boolean isFinished() {
    return finished;
  }

  /**
   * The server is shutting down: end the hold the way a client expects an ordinary end, so it
   * reconnects elsewhere (a response hold answers as on its timeout, a stream ends cleanly).
   */
  public abstract void end();

  abstract void started();

  abstract void stopTimers();

  /** Ends the hold once; returns false if it had already ended. */
  final boolean release() {
    if (finished) {
      return false;
    }
    finished = true;
    stopTimers();
    for (String channel : channels) {
      hub.unsubscribe(channel, this);
    }
    if (listener != null) {
      listener.released(this);
    }
    return true;
  }
}
