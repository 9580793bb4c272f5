package dev.p8.internal.seq;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts published items of a channel in {@code prev-id} order before they reach the hub, and
 * drops repeats of recently seen IDs. It behaves as Pushpin's handler sequencer.
 *
 * <p><b>Model.</b> For each channel the sequencer remembers the ID of the last item it let
 * through. An item is let through at once unless it is sequenced, the channel's last ID is
 * known, the item has a {@code prev-id}, and the two differ; such an item waits, keyed by its
 * prev-id, until its predecessor is let through (then the chain that hangs off it follows, in
 * order) or until {@code message_wait} passes (then it goes out anyway and becomes the
 * channel's last ID, and whatever waited for it follows). Letting an item through sets the
 * channel's last ID to the item's ID, or forgets it when the item has none, so a publisher that
 * stops sending IDs resets the channel. An unknown last ID (a new channel, or one forgotten)
 * never holds anything back: the first item after a subscription goes out at once.
 *
 * <p><b>De-duplication</b> happens first, before sequencing and for every item with an ID,
 * sequenced or not, as in Pushpin: a (channel, id) seen within {@code id_cache_ttl} is dropped.
 *
 * <p><b>Limits.</b> At most {@link Builder#maxPendingPerChannel(int)} items wait per channel
 * and only one per prev-id; a second item naming the same prev-id is dropped (Pushpin does the
 * same). When a channel's queue is full, P8 lets the waiting items out in arrival order, each
 * followed by its chain, and then handles the newcomer; Pushpin instead drops the newcomer. The
 * last-ID memory is bounded by {@link Builder#maxChannels(int)} (least recently used forgotten
 * first) and by {@link Builder#channelIdleTimeout(Duration)}; {@link #clearChannel(String)}
 * forgets a channel at once, as Pushpin does when its last subscriber leaves.
 *
 * <p><b>Time.</b> One task on the {@link Scheduler} at a time, armed for the earliest of: the
 * oldest waiting item's deadline, the oldest idle channel, the oldest cached ID. Pushpin checks
 * every second, so its items may wait up to a second longer.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread; all state is guarded by
 * this object's lock. The sink runs while the lock is held, so that items of one channel reach
 * it in order even when they are offered from different threads: the sink must be quick and
 * must not block. It may call {@link #forgetLastId} and {@link #clearChannel} (they take effect
 * once the items released with the current one are out) but not {@link #offer} (that throws
 * {@link IllegalStateException}). An exception from the sink is logged and does not stop the
 * items that follow.
 */
public final class Sequencer {

  /** Default {@code message_wait}: 5 s, Pushpin's. */
  public static final Duration DEFAULT_MESSAGE_WAIT = Duration.ofMillis(5000);

  /** Default bound on items waiting per channel: 100, Pushpin's. */
  public static final int DEFAULT_MAX_PENDING_PER_CHANNEL = 100;

  /** Default bound on channels whose last ID is remembered: 1,000,000, Pushpin's. */
  public static final int DEFAULT_MAX_CHANNELS = 1_000_000;

  /** Default time after which a channel with no traffic forgets its last ID: 10 minutes. */
  public static final Duration DEFAULT_CHANNEL_IDLE_TIMEOUT = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

  private static final class Pending {
    final Item item;
    final String prevId;
    final long deadline;

    Pending(Item item, long deadline) {
      this.item = item;
      this.prevId = item.prevId().orElseThrow();
      this.deadline = deadline;
    }
  }

  private static final class Channel {
    String lastId;
    long touched;
    LinkedHashMap<String, Pending> pendingByPrevId;

    boolean hasPending() {
      return pendingByPrevId != null && !pendingByPrevId.isEmpty();
    }

    // Most channels never wait; an empty queue is dropped so they cost one small object.
    void dropEmptyQueue() {
      if (pendingByPrevId != null && pendingByPrevId.isEmpty()) {
        pendingByPrevId = null;
      }
    }
  }

  private final Clock clock;
  private final Scheduler scheduler;
  private final Consumer<Item> sink;
  private final long messageWaitNanos;
  private final int maxPendingPerChannel;
  private final int maxChannels;
  private final long idleNanos;
  private final IdCache idCache;

  // Ordered by last touch, oldest first, so idle expiry and LRU eviction look at the head only.
  private final LinkedHashMap<String, Channel> channels = new LinkedHashMap<>();
  // Every waiting item in arrival order, which is deadline order since the wait is fixed.
  private final LinkedHashSet<Pending> pendingByArrival = new LinkedHashSet<>();
  private Scheduler.Cancellable timer;
  private long timerDeadline;
  private boolean emitting;
  // Forget/clear calls made by the sink, applied once the delivery that caused them is done.
  private final List<Runnable> deferred = new ArrayList<>();
  private boolean closed;
  private long dropped;

  private Sequencer(Builder b) {
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.sink = b.sink;
    this.messageWaitNanos = b.messageWait.toNanos();
    this.maxPendingPerChannel = b.maxPendingPerChannel;
    this.maxChannels = b.maxChannels;
    this.idleNanos = b.channelIdleTimeout.toNanos();
    this.idCache = new IdCache(b.idCacheTtl, b.idCacheMaxEntries);
  }

  /**
   * Starts a sequencer.
   *
   * @param clock     the time source for deadlines
   * @param scheduler runs the expiry task
   * @param sink      receives every item that is let through, in order per channel
   * @return a builder with every option at its default
   */
  public static Builder builder(Clock clock, Scheduler scheduler, Consumer<Item> sink) {
    return new Builder(clock, scheduler, sink);
  }

  /**
   * Offers an item, sequenced unless it is {@link Item#noSeq()}.
   *
   * @param item the item
   * @see #offer(Item, boolean)
   */
  public void offer(Item item) {
    offer(item, !item.noSeq());
  }

  /**
   * Offers an item. Pushpin sequences an item only when it is not {@code no-seq} and its
   * channel has a local subscriber, because the last ID is forgotten when the last subscriber
   * leaves; the caller passes {@code !item.noSeq() && hub.hasSubscribers(channel)}.
   *
   * @param item     the item
   * @param sequence false to let the item through at once, without reading or changing the
   *                 channel's last ID
   * @throws IllegalStateException if called from the sink
   */
  public synchronized void offer(Item item, boolean sequence) {
    Objects.requireNonNull(item, "item");
    if (emitting) {
      throw new IllegalStateException("the sequencer's sink must not offer items back to it");
    }
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    Optional<String> id = item.id();
    if (id.isPresent() && !idCache.firstSighting(item.channel(), id.get(), now)) {
      log.debug("dropping item {} on channel {}: the same id was published within"
          + " id_cache_ttl", id.get(), item.channel());
      dropped++;
      finish();
      return;
    }
    if (!sequence) {
      emit(item);
      finish();
      return;
    }
    Channel channel = channels.get(item.channel());
    String prevId = item.prevId().orElse(null);
    if (channel != null && channel.lastId != null && prevId != null
        && !channel.lastId.equals(prevId)) {
      hold(item, channel, now);
    } else {
      letThrough(item, now);
    }
    finish();
  }

  private void hold(Item item, Channel channel, long now) {
    if (channel.pendingByPrevId == null) {
      channel.pendingByPrevId = new LinkedHashMap<>();
    }
    String prevId = item.prevId().orElseThrow();
    if (channel.pendingByPrevId.containsKey(prevId)) {
      log.debug("dropping item on channel {}: another item already waits for prev-id {}",
          item.channel(), prevId);
      dropped++;
      return;
    }
    if (channel.pendingByPrevId.size() >= maxPendingPerChannel) {
      log.warn("channel {} has {} items waiting for their predecessors (maxPendingPerChannel);"
          + " letting them through out of order", item.channel(), channel.pendingByPrevId.size());
      flush(channel, now);
      // The flush moved the channel's last ID on; the newcomer may now fit, or wait afresh.
      Channel after = channels.get(item.channel());
      if (after == null || after.lastId == null || after.lastId.equals(prevId)) {
        letThrough(item, now);
        return;
      }
      channel = after;
      if (channel.pendingByPrevId == null) {
        channel.pendingByPrevId = new LinkedHashMap<>();
      }
    }
    Pending p = new Pending(item, now + messageWaitNanos);
    channel.pendingByPrevId.put(prevId, p);
    pendingByArrival.add(p);
    touch(item.channel(), channel, now);
  }

  private void flush(Channel channel, long now) {
    List<Pending> waiting = new ArrayList<>(channel.pendingByPrevId.values());
    for (Pending p : waiting) {
      if (channel.pendingByPrevId != null && channel.pendingByPrevId.remove(p.prevId, p)) {
        channel.dropEmptyQueue();
        pendingByArrival.remove(p);
        letThrough(p.item, now);
      }
    }
  }

  /** Emits the item, records it as the channel's last, then emits the chain waiting on it. */
  private void letThrough(Item item, long now) {
    Item current = item;
    while (true) {
      String name = current.channel();
      Channel channel = channels.get(name);
      String id = current.id().orElse(null);
      if (id != null) {
        if (channel == null) {
          channel = newChannel(name);
        }
        channel.lastId = id;
        touch(name, channel, now);
      } else if (channel != null) {
        channel.lastId = null;
        if (!channel.hasPending()) {
          channels.remove(name);
        }
      }
      emit(current);
      if (id == null || channel == null || !channel.hasPending()) {
        return;
      }
      Pending next = channel.pendingByPrevId.remove(id);
      if (next == null) {
        return;
      }
      channel.dropEmptyQueue();
      pendingByArrival.remove(next);
      current = next.item;
    }
  }

  private Channel newChannel(String name) {
    while (channels.size() >= maxChannels) {
      Iterator<Map.Entry<String, Channel>> oldest = channels.entrySet().iterator();
      Map.Entry<String, Channel> e = oldest.next();
      oldest.remove();
      Channel evicted = e.getValue();
      if (evicted.hasPending()) {
        log.warn("forgetting channel {} to stay within maxChannels ({}); letting its {} waiting"
            + " items through", e.getKey(), maxChannels, evicted.pendingByPrevId.size());
        for (Pending p : evicted.pendingByPrevId.values()) {
          pendingByArrival.remove(p);
          emit(p.item);
        }
      }
    }
    Channel c = new Channel();
    channels.put(name, c);
    return c;
  }

  private void touch(String name, Channel channel, long now) {
    channel.touched = now;
    // Re-inserting moves the channel to the tail; LinkedHashMap's access order would also move
    // entries on reads that are not activity.
    channels.remove(name);
    channels.put(name, channel);
  }

  private void emit(Item item) {
    emitting = true;
    try {
      sink.accept(item);
    } catch (RuntimeException e) {
      log.warn("delivering item on channel {} failed; continuing with the next", item.channel(),
          e);
    } finally {
      emitting = false;
    }
  }

  private void sweep() {
    synchronized (this) {
      timer = null;
      if (closed) {
        return;
      }
      long now = clock.nanoTime();
      while (!pendingByArrival.isEmpty()) {
        Pending p = pendingByArrival.iterator().next();
        if (p.deadline - now > 0) {
          break;
        }
        pendingByArrival.remove(p);
        Channel channel = channels.get(p.item.channel());
        channel.pendingByPrevId.remove(p.prevId);
        channel.dropEmptyQueue();
        log.debug("item {} on channel {} waited message_wait for prev-id {}; letting it through",
            p.item.id().orElse(""), p.item.channel(), p.prevId);
        letThrough(p.item, now);
      }
      if (idleNanos > 0) {
        Iterator<Channel> it = channels.values().iterator();
        while (it.hasNext()) {
          Channel c = it.next();
          if (c.touched + idleNanos - now > 0 || c.hasPending()) {
            break;
          }
          it.remove();
        }
      }
      idCache.expire(now);
      finish();
    }
  }

  private void finish() {
    for (int i = 0; i < deferred.size(); i++) {
      deferred.get(i).run();
    }
    deferred.clear();
    arm();
  }

  private void arm() {
    long next = Long.MAX_VALUE;
    if (!pendingByArrival.isEmpty()) {
      next = pendingByArrival.iterator().next().deadline;
    }
    if (idleNanos > 0 && !channels.isEmpty()) {
      long idle = channels.values().iterator().next().touched + idleNanos;
      next = earlier(next, idle);
    }
    next = earlier(next, idCache.nextExpiry());
    if (next == Long.MAX_VALUE) {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
      return;
    }
    if (timer != null && timerDeadline - next <= 0) {
      return;
    }
    if (timer != null) {
      timer.cancel();
    }
    timerDeadline = next;
    timer = scheduler.schedule(this::sweep, Math.max(0, next - clock.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  private static long earlier(long a, long b) {
    if (a == Long.MAX_VALUE) {
      return b;
    }
    if (b == Long.MAX_VALUE) {
      return a;
    }
    return a - b <= 0 ? a : b;
  }

  /**
   * The ID of the last item let through on the channel, which a new hold's {@code prev-id} is
   * checked against for recovery.
   *
   * @param channel the channel
   * @return the ID, or empty when unknown
   */
  public synchronized Optional<String> lastId(String channel) {
    Channel c = channels.get(channel);
    return c == null ? Optional.empty() : Optional.ofNullable(c.lastId);
  }

  /**
   * Forgets the channel's last ID but keeps its waiting items, as Pushpin does when a hold's
   * prev-id disagrees with it: the next item then goes out at once.
   *
   * @param channel the channel
   */
  public synchronized void forgetLastId(String channel) {
    if (emitting) {
      deferred.add(() -> forgetLastId(channel));
      return;
    }
    Channel c = channels.get(channel);
    if (c != null) {
      c.lastId = null;
      if (!c.hasPending()) {
        channels.remove(channel);
      }
    }
    arm();
  }

  /**
   * Drops the channel's waiting items and forgets its last ID; call it when the channel's last
   * subscriber leaves (nobody is left to receive the waiting items).
   *
   * @param channel the channel
   */
  public synchronized void clearChannel(String channel) {
    if (emitting) {
      deferred.add(() -> clearChannel(channel));
      return;
    }
    Channel c = channels.remove(channel);
    if (c != null && c.pendingByPrevId != null) {
      pendingByArrival.removeAll(c.pendingByPrevId.values());
    }
    arm();
  }

  /**
   * Lets every waiting item through now, in arrival order, each followed by the chain that
   * waits on it: what a graceful stop does, so that no accepted item is left behind.
   *
   * @return how many items were waiting
   * @throws IllegalStateException if called from the sink
   */
  public synchronized int flush() {
    if (emitting) {
      throw new IllegalStateException("the sequencer's sink must not flush it");
    }
    int waiting = pendingByArrival.size();
    long now = clock.nanoTime();
    while (!pendingByArrival.isEmpty()) {
      Pending p = pendingByArrival.iterator().next();
      pendingByArrival.remove(p);
      Channel channel = channels.get(p.item.channel());
      if (channel != null && channel.pendingByPrevId != null) {
        channel.pendingByPrevId.remove(p.prevId, p);
        channel.dropEmptyQueue();
      }
      letThrough(p.item, now);
    }
    finish();
    return waiting;
  }

  /**
   * Stops the sequencer: waiting items are dropped, the timer is cancelled, and later offers
   * are ignored. Idempotent.
   */
  public synchronized void close() {
    closed = true;
    channels.clear();
    pendingByArrival.clear();
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** The number of items waiting for their predecessor, across channels. */
  public synchronized int pendingCount() {
    return pendingByArrival.size();
  }

  /** The number of channels with a remembered last ID or waiting items. */
  public synchronized int channelCount() {
    return channels.size();
  }

  /** The number of (channel, id) pairs in the de-duplication cache. */
  public synchronized int cachedIdCount() {
    return idCache.size();
  }

  /** The number of items dropped as duplicates (same id, or same prev-id while waiting). */
  public synchronized long droppedCount() {
    return dropped;
  }

  /**
   * Configures a {@link Sequencer}. Setters check their argument at once and name the option.
   * Not thread safe.
   */
  public static final class Builder {

    private final Clock clock;
    private final Scheduler scheduler;
    private final Consumer<Item> sink;
    private Duration messageWait = DEFAULT_MESSAGE_WAIT;
    private int maxPendingPerChannel = DEFAULT_MAX_PENDING_PER_CHANNEL;
    private int maxChannels = DEFAULT_MAX_CHANNELS;
    private Duration channelIdleTimeout = DEFAULT_CHANNEL_IDLE_TIMEOUT;
    private Duration idCacheTtl = IdCache.DEFAULT_TTL;
    private int idCacheMaxEntries = IdCache.DEFAULT_MAX_ENTRIES;

    private Builder(Clock clock, Scheduler scheduler, Consumer<Item> sink) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * How long an item waits for its predecessor ({@code [handler] message_wait}). The default
     * is {@link #DEFAULT_MESSAGE_WAIT}.
     *
     * @param wait at least 1 ms
     * @return this builder
     */
    public Builder messageWait(Duration wait) {
      Objects.requireNonNull(wait, "messageWait");
      if (wait.toMillis() < 1) {
        throw new IllegalArgumentException("messageWait (" + wait + ") must be at least 1 ms"
            + " (pushpin.conf [handler] message_wait)");
      }
      this.messageWait = wait;
      return this;
    }

    /**
     * How many items may wait per channel. The default is
     * {@link #DEFAULT_MAX_PENDING_PER_CHANNEL}.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxPendingPerChannel(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPendingPerChannel (" + max
            + ") must be at least 1");
      }
      this.maxPendingPerChannel = max;
      return this;
    }

    /**
     * How many channels' last IDs are remembered. The default is {@link #DEFAULT_MAX_CHANNELS}.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxChannels(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxChannels (" + max + ") must be at least 1");
      }
      this.maxChannels = max;
      return this;
    }

    /**
     * How long a channel with no items keeps its last ID. The default is
     * {@link #DEFAULT_CHANNEL_IDLE_TIMEOUT}; zero keeps it until {@link #clearChannel} or
     * eviction by {@link #maxChannels(int)}, as Pushpin does. It must exceed the message wait,
     * checked in {@link #build()}.
     *
     * @param timeout zero or positive
     * @return this builder
     */
    public Builder channelIdleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "channelIdleTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("channelIdleTimeout (" + timeout
            + ") must not be negative");
      }
      this.channelIdleTimeout = timeout;
      return this;
    }

    /**
     * How long a (channel, id) pair is remembered to drop repeats ({@code [handler]
     * id_cache_ttl}). The default is {@link IdCache#DEFAULT_TTL}; zero turns de-duplication off.
     *
     * @param ttl zero or positive
     * @return this builder
     */
    public Builder idCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "idCacheTtl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("idCacheTtl (" + ttl + ") must not be negative"
            + " (pushpin.conf [handler] id_cache_ttl)");
      }
      this.idCacheTtl = ttl;
      return this;
    }

    /**
     * How many (channel, id) pairs are remembered at most. The default is
     * {@link IdCache#DEFAULT_MAX_ENTRIES}.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder idCacheMaxEntries(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("idCacheMaxEntries (" + max + ") must be at least 1");
      }
      this.idCacheMaxEntries = max;
      return this;
    }

    /**
     * Builds the sequencer.
     *
     * @return a sequencer with no state and no scheduled task
     * @throws IllegalArgumentException if channelIdleTimeout is set and not above messageWait
     */
    public Sequencer build() {
      if (!channelIdleTimeout.isZero() && channelIdleTimeout.compareTo(messageWait) <= 0) {
        throw new IllegalArgumentException("channelIdleTimeout (" + channelIdleTimeout
            + ") must be longer than messageWait (" + messageWait + ")");
      }
      return new Sequencer(this);
    }
  }
}
