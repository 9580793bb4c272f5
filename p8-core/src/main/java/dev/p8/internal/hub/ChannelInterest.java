package dev.p8.internal.hub;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which channels this instance is interested in: a channel is interesting from its first
 * subscriber until its last one leaves, or, when that last one was a long-poll, until
 * {@code subscription_linger} later. Interest drives what outlives single subscribers: the
 * ZeroMQ SUB subscription, the sequencer's memory of the channel's last ID, and the
 * first-subscription update.
 *
 * <p><b>Why linger.</b> A long-poll client leaves its channel with every answer and comes back
 * a moment later. Without the linger each cycle would unsubscribe and resubscribe the SUB
 * socket (publishers on XPUB see the flapping) and forget the channel's last ID, which a
 * long-poll's {@code prev-id} is checked against. Pushpin lingers only response-mode
 * unsubscribes; streams and WebSockets leave at once, and so do they here.
 *
 * <p><b>First subscription.</b> {@code settleDelay} after a channel becomes interesting,
 * {@link Listener#settled} is called (Pushpin's {@code update_on_first_subscription}): an item
 * published while the subscription was still on its way to the publishers was missed, and
 * asking the backend again covers that. Channels settle in batches: one timer serves every
 * channel that became interesting within {@value #SETTLE_BATCH_MILLIS} ms of the first, so each
 * settles between {@code settleDelay} and that much later. A timer per channel cost the timer
 * thread a wake-up per new channel, a tenth of the CPU of opening a stream.
 *
 * <p><b>Races.</b> The hub reports openings and closings after the fact, on the subscribing
 * threads, so a close and a re-open of one channel may arrive in either order. Every decision
 * is therefore made under this object's lock against the hub's current count, so the state
 * always ends where the hub is.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread. Listener calls run under
 * this object's lock, on the hub's or the scheduler's thread; they must be quick.
 */
public final class ChannelInterest implements ChannelHub.ChannelListener {

  private static final Logger log = LoggerFactory.getLogger(ChannelInterest.class);

  /** Told when interest in a channel starts, settles and ends. */
  public interface Listener {
    /** The channel became interesting. */
    void listen(String channel);

    /** {@code settleDelay} after {@link #listen}, if the channel is still interesting. */
    void settled(String channel);

    /** The channel is no longer interesting. */
    void unlisten(String channel);
  }

  static final long SETTLE_BATCH_MILLIS = 50;
  private static final long SETTLE_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(SETTLE_BATCH_MILLIS);

  private static final class State {
    Scheduler.Cancellable linger;
  }

  /** A channel waiting to settle, in the order channels became interesting. */
  private record Settle(String channel, State state, long dueNanos) { }

  private final ChannelHub hub;
  private final Scheduler scheduler;
  private final Clock clock;
  private final long lingerNanos;
  private final long settleNanos;
  private final Predicate<Subscriber> lingers;
  private final Listener listener;
  private final Map<String, State> states = new HashMap<>();
  // Read without the lock on the publish path.
  private final Set<String> interesting = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<Settle> settles = new ArrayDeque<>();
  private Scheduler.Cancellable settleTimer;
  private boolean closed;

  /**
   * @param hub         the hub whose channels are tracked; register this object as its listener
   * @param scheduler   runs the linger and settle timers
   * @param clock       reads the time the settle timer compares against
   * @param linger      how long a channel stays interesting after a lingering subscriber left;
   *                    zero for no linger
   * @param settleDelay when to call {@link Listener#settled}; null never to call it
   * @param lingers     which last subscribers make a channel linger (long-polls)
   * @param listener    told of changes
   */
  public ChannelInterest(ChannelHub hub, Scheduler scheduler, Clock clock, Duration linger,
      Duration settleDelay, Predicate<Subscriber> lingers, Listener listener) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lingerNanos = linger.toNanos();
    this.settleNanos = settleDelay == null ? -1 : settleDelay.toNanos();
    this.lingers = Objects.requireNonNull(lingers, "lingers");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** True while the channel has subscribers or lingers. */
  public boolean contains(String channel) {
    return interesting.contains(channel);
  }

  /** The interesting channels now, lingering ones included; a snapshot. */
  public Set<String> channels() {
    return Set.copyOf(interesting);
  }

  /** The number of interesting channels, lingering ones included. */
  public int size() {
    return interesting.size();
  }

  /** The number of channels that have no subscriber and linger. */
  public synchronized int lingering() {
    int n = 0;
    for (State s : states.values()) {
      if (s.linger != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized void channelOpened(String channel) {
    if (closed) {
      return;
    }
    State s = states.get(channel);
    if (s != null) {
      if (s.linger != null) {
        s.linger.cancel();
        s.linger = null;
      }
      return;
    }
    s = new State();
    states.put(channel, s);
    interesting.add(channel);
    call(() -> listener.listen(channel), channel);
    if (settleNanos >= 0) {
      settles.add(new Settle(channel, s, clock.nanoTime() + settleNanos));
      if (settleTimer == null) {
        settleTimer = scheduler.schedule(this::settleDue, settleNanos + SETTLE_BATCH_NANOS, TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public synchronized void channelClosed(String channel, Subscriber last) {
    State s = states.get(channel);
    if (closed || s == null || s.linger != null || hub.subscriberCount(channel) > 0) {
      return;
    }
    if (lingerNanos > 0 && last != null && lingers.test(last)) {
      s.linger = scheduler.schedule(() -> lingerEnded(channel, s), lingerNanos, TimeUnit.NANOSECONDS);
    } else {
      end(channel, s);
    }
  }

  private synchronized void settleDue() {
    settleTimer = null;
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    Settle head;
    while ((head = settles.peek()) != null && head.dueNanos - now <= 0) {
      settles.poll();
      // A channel that ended, or ended and began again since, is no longer this entry's.
      if (states.get(head.channel) == head.state) {
        String channel = head.channel;
        call(() -> listener.settled(channel), channel);
      }
    }
    if (head != null) {
      settleTimer = scheduler.schedule(this::settleDue, head.dueNanos - now + SETTLE_BATCH_NANOS,
          TimeUnit.NANOSECONDS);
    }
  }

  private synchronized void lingerEnded(String channel, State s) {
    if (states.get(channel) != s || s.linger == null) {
      return;
    }
    s.linger = null;
    if (hub.subscriberCount(channel) == 0) {
      end(channel, s);
    }
  }

  private void end(String channel, State s) {
    states.remove(channel);
    interesting.remove(channel);
    call(() -> listener.unlisten(channel), channel);
  }

  private void call(Runnable r, String channel) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("channel interest listener failed for channel {}", channel, e);
    }
  }

  /** Cancels every timer; later openings and closings are ignored. Idempotent. */
  public synchronized void close() {
    closed = true;
    if (settleTimer != null) {
      settleTimer.cancel();
      settleTimer = null;
    }
    settles.clear();
    for (State s : states.values()) {
      if (s.linger != null) {
        s.linger.cancel();
      }
    }
    states.clear();
    interesting.clear();
  }
}
