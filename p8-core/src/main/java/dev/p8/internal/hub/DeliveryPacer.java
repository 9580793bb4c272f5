package dev.p8.internal.hub;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Holds deliveries to a global rate (Pushpin's {@code message_rate}): a delivery of one item to
 * n subscribers costs n. What is over the rate waits in one queue, in the order offered, and is
 * let go as the rate allows, so every channel keeps its publish order.
 *
 * <p><b>Model.</b> A virtual schedule (GCRA): {@code next} is when the rate would next allow a
 * delivery. A delivery may go if {@code next} is at most one burst ahead of now; it then moves
 * {@code next} on by its cost. The burst is {@value #BATCH_MILLIS} ms worth of deliveries, the
 * batch Pushpin releases per tick. A delivery larger than a burst still goes when it is its
 * turn and puts the schedule in debt, which the following ones wait out, as in Pushpin.
 *
 * <p><b>Timer.</b> While deliveries wait, one timer fires every {@value #BATCH_MILLIS} ms (or
 * once per delivery below 40/s) and releases what the rate allows then: a busy pacer costs
 * about 40 timer runs a second, not one per delivery.
 *
 * <p>Not a bound: what waits here is counted against {@code message_hwm} by the hub.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread; releases run under this
 * object's lock, and so on the scheduler's thread or the offering one.
 */
final class DeliveryPacer {

  /** Pushpin's shortest batch interval, which also sets the burst. */
  static final long BATCH_MILLIS = 25;

  private record Waiting(int cost, Runnable release) { }

  private final Clock clock;
  private final Scheduler scheduler;
  private final int rate;
  private final long burstNanos;
  private final long intervalNanos;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long next;
  private Scheduler.Cancellable timer;
  private boolean closed;

  /**
   * @param rate deliveries per second, at least 1
   */
  DeliveryPacer(int rate, Clock clock, Scheduler scheduler) {
    this.rate = rate;
    this.clock = clock;
    this.scheduler = scheduler;
    long batch = TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
    this.intervalNanos = Math.max(batch, 1_000_000_000L / rate);
    this.burstNanos = batch;
    this.next = clock.nanoTime();
  }

  int rate() {
    return rate;
  }

  /**
   * Runs {@code release} now if the rate allows {@code cost} more deliveries and nothing waits,
   * else queues it behind what waits.
   */
  synchronized void offer(int cost, Runnable release) {
    if (waiting.isEmpty() && admit(cost, clock.nanoTime())) {
      release.run();
      return;
    }
    waiting.add(new Waiting(cost, release));
    if (timer == null && !closed) {
      timer = scheduler.schedule(this::tick, delayToHead(clock.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** The deliveries waiting for the rate (groups, not subscribers). */
  synchronized int waiting() {
    return waiting.size();
  }

  /** Lets everything that waits go now, whatever the rate: the server is stopping. */
  synchronized int releaseAll() {
    int n = waiting.size();
    while (!waiting.isEmpty()) {
      waiting.poll().release.run();
    }
    return n;
  }

  /** Cancels the timer; what waits stays until {@link #releaseAll}. */
  synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private boolean admit(int cost, long now) {
    if (next - now > burstNanos) {
      return false;
    }
    next = Math.max(next, now) + cost * 1_000_000_000L / rate;
    return true;
  }

  private synchronized void tick() {
    timer = null;
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    while (!waiting.isEmpty() && admit(waiting.peek().cost, now)) {
      waiting.poll().release.run();
    }
    if (!waiting.isEmpty()) {
      timer = scheduler.schedule(this::tick, Math.max(intervalNanos, delayToHead(now)), TimeUnit.NANOSECONDS);
    }
  }

  /** How long until the head may go, as far as the schedule tells now. */
  private long delayToHead(long now) {
    return Math.max(0, next - burstNanos - now);
  }
}
