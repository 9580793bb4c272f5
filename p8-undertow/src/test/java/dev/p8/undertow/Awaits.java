package dev.p8.undertow;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, failing with a message that names it. */
final class Awaits {

  private Awaits() {}

  static void await(String what, BooleanSupplier condition) {
    await(what, Duration.ofSeconds(10), condition);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
