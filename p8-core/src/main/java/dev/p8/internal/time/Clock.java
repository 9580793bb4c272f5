package dev.p8.internal.time;

/**
 * A source of monotonic time, so that every timeout can be driven by a fake clock in tests.
 */
public interface Clock {

  /** Returns a monotonic reading in nanoseconds; only differences between readings mean anything. */
  long nanoTime();

  /** Returns the wall-clock time in milliseconds since the epoch, for signed tokens and logs. */
  long currentTimeMillis();

  /** The system clock. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
