package dev.p8.internal.time;

import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay. Hold timeouts and keep-alives go through this seam so that core
 * logic is tested with {@code FakeScheduler} and no sleeping.
 *
 * <p>An implementation runs every task on one thread of its own choosing, in deadline order,
 * and never concurrently with other tasks of the same scheduler.
 */
public interface Scheduler {

  /**
   * Schedules a task.
   *
   * @param task  what to run
   * @param delay how long from now
   * @param unit  the unit of {@code delay}
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(Runnable task, long delay, TimeUnit unit);

  /** A scheduled task that can still be called off. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task; harmless if it already ran or was cancelled. */
    void cancel();
  }
}
