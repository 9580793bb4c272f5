package dev.p8.internal.time;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A clock and scheduler that move only when told to. Tasks run on the calling thread during
 * {@link #advance}, in deadline order, each seeing the clock at its own deadline.
 */
public final class FakeScheduler implements Scheduler, Clock {

  private record Task(long deadline, long sequence, Runnable runnable, boolean[] cancelled) { }

  private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
      ? Long.compare(a.deadline, b.deadline) : Long.compare(a.sequence, b.sequence));
  private long now = 1_000_000_000L;
  private long sequence;

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    boolean[] cancelled = new boolean[1];
    tasks.add(new Task(now + unit.toNanos(delay), sequence++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Moves time forward, running every task that falls due. */
  public void advance(long amount, TimeUnit unit) {
    long target = now + unit.toNanos(amount);
    while (!tasks.isEmpty() && tasks.peek().deadline <= target) {
      Task t = tasks.poll();
      now = Math.max(now, t.deadline);
      if (!t.cancelled[0]) {
        t.runnable.run();
      }
    }
    now = target;
  }

  /** The number of scheduled tasks not yet run or cancelled. */
  public int pending() {
    int n = 0;
    for (Task t : tasks) {
      if (!t.cancelled[0]) {
        n++;
      }
    }
    return n;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public long currentTimeMillis() {
    return now / 1_000_000L;
  }
}
