package dev.p8.internal.zmq;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting with a deadline, never a fixed sleep. */
final class Awaits {

  static final Duration DEADLINE = Duration.ofSeconds(10);

  private Awaits() {
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + DEADLINE.toMillis() + " ms waiting for: "
            + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Waits up to {@code timeout} for the condition; false if it did not come true. */
  static boolean within(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return true;
  }

  static <T> T next(String what, BlockingQueue<T> queue) throws InterruptedException {
    T value = queue.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    if (value == null) {
      throw new AssertionError("timed out after " + DEADLINE.toMillis() + " ms waiting for: "
          + what);
    }
    return value;
  }
}
