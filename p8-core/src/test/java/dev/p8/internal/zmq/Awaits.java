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

  static <T> T next(String what, BlockingQueue<T> queue) throws InterruptedException {
    T value = queue.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    if (value == null) {
      throw new AssertionError("timed out after " + DEADLINE.toMillis() + " ms waiting for: "
          + what);
    }
    return value;
  }
}
