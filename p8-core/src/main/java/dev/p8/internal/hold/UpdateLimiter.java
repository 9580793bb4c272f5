package dev.p8.internal.hold;

import dev.p8.internal.time.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces the updates that ask backends again for many holds at once: the first-subscription
 * update and the {@code recover} command. Without it a burst of first subscriptions (a
 * publisher restart, a deploy that reconnects every client) would send every long-poll and
 * every stream's next link to the backends in the same instant.
 *
 * <p><b>Model</b> (Pushpin's {@code updateLimiter}, GRIP.md 2.4): updates are grouped by a key
 * (the next link's URI for streams; one key for all long-polls) into actions of at most
 * {@link #DEFAULT_SESSIONS_PER_ACTION} holds. One action runs per tick, and ticks come
 * {@link #DEFAULT_ACTIONS_PER_SECOND} times a second, so at most 1,000 holds a second are asked
 * again. Keys take turns, so one busy link cannot starve the others. The first tick comes one
 * interval after work arrives, not at once, so that a burst is gathered into full actions.
 *
 * <p>A hold that already waits is not added again (a hold on several channels, or two recover
 * commands). An update runs the given task, which should hand the work to the hold's own
 * executor and return.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread; updates run on the
 * scheduler's thread, outside this object's lock.
 */
public final class UpdateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(UpdateLimiter.class);

  /** Pushpin's update rate: 10 actions a second. */
  public static final int DEFAULT_ACTIONS_PER_SECOND = 10;

  /** Pushpin's {@code UPDATES_PER_ACTION_MAX}: 100 holds per action. */
  public static final int DEFAULT_SESSIONS_PER_ACTION = 100;

  private record Update(Object hold, Runnable task) { }

  private final Scheduler scheduler;
  private final long intervalNanos;
  private final int perAction;
  // Key -> its actions, oldest first; the first key is served next.
  private final LinkedHashMap<String, ArrayDeque<List<Update>>> buckets = new LinkedHashMap<>();
  private final Set<Object> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
  private Scheduler.Cancellable timer;
  private boolean closed;

  /**
   * @param scheduler        runs the ticks
   * @param actionsPerSecond how many actions run per second, at least 1
   * @param perAction        the most holds per action, at least 1
   */
  public UpdateLimiter(Scheduler scheduler, int actionsPerSecond, int perAction) {
    if (actionsPerSecond < 1 || perAction < 1) {
      throw new IllegalArgumentException("actionsPerSecond (" + actionsPerSecond + ") and perAction ("
          + perAction + ") must be at least 1");
    }
    this.scheduler = scheduler;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / actionsPerSecond;
    this.perAction = perAction;
  }

  /**
   * Queues an update.
   *
   * @param key  groups updates that go together (a link URI; one key for all long-polls)
   * @param hold identifies the hold, so it waits at most once
   * @param task what to run when its turn comes
   * @return false if the hold already waits, or the limiter is closed
   */
  public synchronized boolean add(String key, Object hold, Runnable task) {
    if (closed || !waiting.add(hold)) {
      return false;
    }
    ArrayDeque<List<Update>> actions = buckets.computeIfAbsent(key, k -> new ArrayDeque<>());
    List<Update> last = actions.peekLast();
    if (last == null || last.size() >= perAction) {
      last = new ArrayList<>();
      actions.add(last);
    }
    last.add(new Update(hold, task));
    if (timer == null) {
      timer = scheduler.schedule(this::tick, intervalNanos, TimeUnit.NANOSECONDS);
    }
    return true;
  }

  /** The holds waiting for their update. */
  public synchronized int waiting() {
    return waiting.size();
  }

  /** Drops what waits and stops the ticks; later adds are refused. Idempotent. */
  public synchronized void close() {
    closed = true;
    buckets.clear();
    waiting.clear();
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void tick() {
    List<Update> action;
    synchronized (this) {
      timer = null;
      Iterator<Map.Entry<String, ArrayDeque<List<Update>>>> it = buckets.entrySet().iterator();
      if (closed || !it.hasNext()) {
        return;
      }
      Map.Entry<String, ArrayDeque<List<Update>>> first = it.next();
      action = first.getValue().poll();
      it.remove();
      if (!first.getValue().isEmpty()) {
        // To the back of the line: keys take turns.
        buckets.put(first.getKey(), first.getValue());
      }
      for (Update u : action) {
        waiting.remove(u.hold());
      }
      if (!buckets.isEmpty()) {
        timer = scheduler.schedule(this::tick, intervalNanos, TimeUnit.NANOSECONDS);
      }
    }
    for (Update u : action) {
      try {
        u.task().run();
      } catch (RuntimeException e) {
        LOG.warn("hold update failed", e);
      }
    }
  }
}
