package dev.p8.internal.hub;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Item;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes published items to the subscribers of a channel.
 *
 * <p><b>Model.</b> A channel exists while it has at least one subscriber. Subscribing and
 * unsubscribing go through {@link ConcurrentHashMap#compute}, so the creation and removal of a
 * channel are atomic with the change of its members and a subscriber never lands in a channel
 * that was just dropped. The member list is a copy-on-write array: changes are rare next to
 * reads during fan-out, and a publish works on a stable snapshot without locking members.
 *
 * <p><b>Fan-out.</b> Subscribers are grouped by the executor that owns them (the I/O thread of
 * their connection), and a publish submits one task per executor that delivers to all of its
 * subscribers in turn. The grouping is cached per channel and rebuilt only after membership
 * changed. The item itself is immutable and shared by every delivery: it is never copied or
 * re-encoded per subscriber.
 *
 * <p><b>Order.</b> Publishes to one channel are serialized by a per-channel lock held while the
 * tasks are submitted; executors run tasks in submission order, so every subscriber sees a
 * channel's items in publish order. Items on different channels are not ordered.
 *
 * <p><b>Bound.</b> At most {@link #maxQueuedDeliveries(int)} delivery tasks (one item for the
 * subscribers of one channel on one executor) may be queued and not yet run, across all
 * executors. Past it a publish is dropped for the groups it cannot queue, with a warning, and
 * counted ({@link #droppedDeliveries()}): a publisher faster than the I/O threads cannot grow
 * their queues without limit (Pushpin's {@code message_hwm}).
 *
 * <p><b>Rate.</b> With {@link #messageRate} set, deliveries (one per subscriber) go out at most
 * at that rate: what is over it waits in one queue, in publish order, and counts against the
 * same bound, so past it a publish is dropped as above (Pushpin's {@code message_rate}). Without
 * a rate the publish path is as above: no queue, no lock, nothing allocated for it.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread.
 */
public final class ChannelHub {

  private static final Logger log = LoggerFactory.getLogger(ChannelHub.class);

  /** Told when a channel gains its first subscriber or loses its last one. */
  public interface ChannelListener {
    /** The channel now has a subscriber and did not before. */
    default void channelOpened(String channel) {}

    /** The channel's last subscriber left. */
    default void channelClosed(String channel) {}

    /**
     * The channel's last subscriber left; {@code last} is that subscriber, so a listener can
     * treat the end of a long-poll differently from the end of a stream.
     */
    default void channelClosed(String channel, Subscriber last) {
      channelClosed(channel);
    }
  }

  /**
   * Told of every subscription change and every delivery, for events and metrics. Runs on the
   * subscribing thread and on the delivering executor; must be quick and must not block.
   */
  public interface SubscriptionListener {
    /** The subscriber joined the channel. */
    default void subscribed(String channel, Subscriber subscriber) {}

    /** The subscriber left the channel. */
    default void unsubscribed(String channel, Subscriber subscriber) {}

    /**
     * The item is being handed to the subscriber, just before its {@code deliver} runs (it may
     * still skip the item: a filter, a format it does not take).
     *
     * @param queuedNanos from the publish reaching the hub to this delivery running
     */
    default void delivered(String channel, Item item, Subscriber subscriber, long queuedNanos) {}

    /** An item was dropped for some subscribers of the channel: the queue bound was reached. */
    default void droppedAtBound(String channel, int subscribers) {}
  }

  private static final ChannelListener NO_LISTENER = new ChannelListener() {};
  private static final Subscriber[] NONE = new Subscriber[0];

  private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile ChannelListener listener = NO_LISTENER;
  private volatile int maxQueued = Integer.MAX_VALUE;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  // Null when unlimited: the publish path then reads one field and nothing else.
  private volatile DeliveryPacer pacer;

  /**
   * Bounds the delivery tasks queued and not yet run, across executors. The default is
   * unbounded.
   *
   * @param max at least 1
   */
  public void maxQueuedDeliveries(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxQueuedDeliveries (" + max + ") must be at least 1");
    }
    this.maxQueued = max;
  }

  /**
   * Holds deliveries to a rate: at most {@code perSecond} subscribers are handed an item per
   * second, across channels. What is over the rate waits, in publish order, and counts against
   * {@link #maxQueuedDeliveries(int)}. Call before the first publish.
   *
   * @param perSecond deliveries per second; 0 for no limit (the default)
   * @param clock     reads the time
   * @param scheduler runs the timer that lets waiting deliveries go
   */
  public void messageRate(int perSecond, Clock clock, Scheduler scheduler) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("messageRate (" + perSecond + ") must be 0 (no limit) or more");
    }
    DeliveryPacer old = pacer;
    pacer = perSecond == 0 ? null : new DeliveryPacer(perSecond, clock, scheduler);
    if (old != null) {
      old.close();
      old.releaseAll();
    }
  }

  /** The deliveries (one item for a channel's subscribers on one executor) waiting for the rate. */
  public int deliveriesWaitingForRate() {
    DeliveryPacer p = pacer;
    return p == null ? 0 : p.waiting();
  }

  /**
   * Lets every delivery waiting for the rate go to its executor now, and stops the rate's timer:
   * the server is stopping and what was accepted should still reach its clients.
   *
   * @return how many deliveries were let go
   */
  public int releaseWaiting() {
    DeliveryPacer p = pacer;
    if (p == null) {
      return 0;
    }
    p.close();
    return p.releaseAll();
  }

  /** The delivery tasks queued and not yet run now, those waiting for the rate included. */
  public int queuedDeliveries() {
    return queued.get();
  }

  /** How many deliveries (subscribers not reached) were dropped at the bound. */
  public long droppedDeliveries() {
    return dropped.get();
  }

  // Null unless someone listens, so that fan-out does not read the clock for nobody.
  private volatile SubscriptionListener subscriptionListener;

  /** Sets the listener for channels opening and closing; it runs on the subscribing thread. */
  public void channelListener(ChannelListener listener) {
    this.listener = listener == null ? NO_LISTENER : listener;
  }

  /**
   * Sets the listener for subscriptions and deliveries, or null for none (the default). Set it
   * before the first subscribe; deliveries already queued are not reported.
   */
  public void subscriptionListener(SubscriptionListener listener) {
    this.subscriptionListener = listener;
  }

  /**
   * Adds a subscriber to a channel. Adding the same subscriber twice has no effect.
   *
   * @return true if the subscriber was added
   */
  public boolean subscribe(String channel, Subscriber subscriber) {
    boolean[] added = new boolean[1];
    boolean[] opened = new boolean[1];
    channels.compute(channel, (name, existing) -> {
      Channel c = existing;
      if (c == null) {
        c = new Channel(name);
        opened[0] = true;
      }
      added[0] = c.add(subscriber);
      return c;
    });
    if (added[0]) {
      subscriptions.incrementAndGet();
    }
    if (opened[0]) {
      notifyListener(channel, true, subscriber);
    }
    SubscriptionListener sl = subscriptionListener;
    if (added[0] && sl != null) {
      try {
        sl.subscribed(channel, subscriber);
      } catch (RuntimeException e) {
        log.warn("subscription listener failed for channel {}", channel, e);
      }
    }
    return added[0];
  }

  /**
   * Removes a subscriber from a channel. Removing one that is not there has no effect.
   *
   * @return true if the subscriber was removed
   */
  public boolean unsubscribe(String channel, Subscriber subscriber) {
    boolean[] removed = new boolean[1];
    boolean[] closed = new boolean[1];
    channels.computeIfPresent(channel, (name, c) -> {
      removed[0] = c.remove(subscriber);
      if (c.isEmpty()) {
        closed[0] = true;
        return null;
      }
      return c;
    });
    if (removed[0]) {
      subscriptions.decrementAndGet();
    }
    if (closed[0]) {
      notifyListener(channel, false, subscriber);
    }
    SubscriptionListener sl = subscriptionListener;
    if (removed[0] && sl != null) {
      try {
        sl.unsubscribed(channel, subscriber);
      } catch (RuntimeException e) {
        log.warn("subscription listener failed for channel {}", channel, e);
      }
    }
    return removed[0];
  }

  /**
   * Publishes an item to its channel.
   *
   * @return how many subscribers the item was queued for
   */
  public int publish(Item item) {
    Channel c = channels.get(item.channel());
    return c == null ? 0 : c.publish(item, this);
  }

  /** The channels that have at least one subscriber now; a snapshot. */
  public Set<String> channelNames() {
    return Set.copyOf(channels.keySet());
  }

  /** The number of channels that have at least one subscriber. */
  public int channelCount() {
    return channels.size();
  }

  /** The number of (channel, subscriber) pairs. */
  public int subscriptionCount() {
    return subscriptions.get();
  }

  /**
   * The subscribers of one channel now; a snapshot, empty when the channel has none.
   *
   * @param channel the channel
   * @return an unmodifiable list
   */
  public List<Subscriber> subscribers(String channel) {
    Channel c = channels.get(channel);
    return c == null ? List.of() : List.of(c.members);
  }

  /** The number of subscribers of one channel. */
  public int subscriberCount(String channel) {
    Channel c = channels.get(channel);
    return c == null ? 0 : c.members.length;
  }

  private void notifyListener(String channel, boolean opened, Subscriber subscriber) {
    try {
      if (opened) {
        listener.channelOpened(channel);
      } else {
        listener.channelClosed(channel, subscriber);
      }
    } catch (RuntimeException e) {
      log.warn("channel listener failed for channel {}", channel, e);
    }
  }

  private static final class Channel {
    final String name;
    // Written only inside ConcurrentHashMap.compute for this key, read by publishers.
    volatile Subscriber[] members = NONE;
    private volatile Group[] groups;

    Channel(String name) {
      this.name = name;
    }

    boolean add(Subscriber s) {
      Subscriber[] m = members;
      for (Subscriber existing : m) {
        if (existing == s) {
          return false;
        }
      }
      Subscriber[] next = Arrays.copyOf(m, m.length + 1);
      next[m.length] = s;
      members = next;
      groups = null;
      return true;
    }

    boolean remove(Subscriber s) {
      Subscriber[] m = members;
      for (int i = 0; i < m.length; i++) {
        if (m[i] == s) {
          Subscriber[] next = new Subscriber[m.length - 1];
          System.arraycopy(m, 0, next, 0, i);
          System.arraycopy(m, i + 1, next, i, m.length - i - 1);
          members = next;
          groups = null;
          return true;
        }
      }
      return false;
    }

    boolean isEmpty() {
      return members.length == 0;
    }

    synchronized int publish(Item item, ChannelHub hub) {
      SubscriptionListener timing = hub.subscriptionListener;
      Group[] g = groups;
      if (g == null) {
        g = group(members);
        groups = g;
      }
      int count = 0;
      DeliveryPacer p = hub.pacer;
      for (Group group : g) {
        if (hub.queued.incrementAndGet() > hub.maxQueued) {
          hub.queued.decrementAndGet();
          hub.droppedAtBound(name, group.subscribers.length);
          continue;
        }
        count += group.subscribers.length;
        if (p == null) {
          group.submit(name, item, hub.queued, timing);
        } else {
          // Under this channel's lock, so the channel's items join the pacer's queue in order.
          p.offer(group.subscribers.length, () -> group.submit(name, item, hub.queued, timing));
        }
      }
      return count;
    }

    private static Group[] group(Subscriber[] members) {
      Map<Executor, List<Subscriber>> byExecutor = new IdentityHashMap<>();
      for (Subscriber s : members) {
        byExecutor.computeIfAbsent(s.executor(), e -> new ArrayList<>()).add(s);
      }
      Group[] result = new Group[byExecutor.size()];
      int i = 0;
      for (Map.Entry<Executor, List<Subscriber>> e : byExecutor.entrySet()) {
        result[i++] = new Group(e.getKey(), e.getValue().toArray(NONE));
      }
      return result;
    }
  }

  private void droppedAtBound(String channel, int subscribers) {
    long before = dropped.getAndAdd(subscribers);
    // Once, then every 10,000 drops: an overload must not also flood the log.
    if (before == 0 || before / 10_000 != (before + subscribers) / 10_000) {
      log.warn("dropping an item on channel {} for {} subscriber(s): {} deliveries are queued"
          + " (message_hwm); {} dropped so far", channel, subscribers, maxQueued, before + subscribers);
    }
    SubscriptionListener l = subscriptionListener;
    if (l != null) {
      try {
        l.droppedAtBound(channel, subscribers);
      } catch (RuntimeException e) {
        log.warn("subscription listener failed for channel {}", channel, e);
      }
    }
  }

  private record Group(Executor executor, Subscriber[] subscribers) {
    void submit(String channel, Item item, AtomicInteger queued, SubscriptionListener timing) {
      try {
        if (timing == null) {
          executor.execute(() -> {
            queued.decrementAndGet();
            deliverAll(channel, item);
          });
        } else {
          long submitted = System.nanoTime();
          executor.execute(() -> {
            queued.decrementAndGet();
            deliverAll(channel, item, timing, submitted);
          });
        }
      } catch (RejectedExecutionException e) {
        queued.decrementAndGet();
        // The owning thread is shutting down with its connections; nothing there to deliver to.
        log.debug("executor for {} subscriber(s) of channel {} refused the delivery", subscribers.length, channel);
      }
    }

    private void deliverAll(String channel, Item item) {
      for (Subscriber s : subscribers) {
        try {
          s.deliver(channel, item);
        } catch (RuntimeException e) {
          log.warn("delivery to a subscriber of channel {} failed", channel, e);
        }
      }
    }

    private void deliverAll(String channel, Item item, SubscriptionListener timing, long queued) {
      for (Subscriber s : subscribers) {
        // Told first, so that a delivery that ends the subscriber (a long-poll answered) is
        // reported before the unsubscribe it causes.
        try {
          timing.delivered(channel, item, s, System.nanoTime() - queued);
        } catch (RuntimeException e) {
          log.warn("subscription listener failed for channel {}", channel, e);
        }
        try {
          s.deliver(channel, item);
        } catch (RuntimeException e) {
          log.warn("delivery to a subscriber of channel {} failed", channel, e);
        }
      }
    }
  }
}
