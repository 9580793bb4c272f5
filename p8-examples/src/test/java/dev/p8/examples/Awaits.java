package dev.p8.examples;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, failing with a message that names it. */
final class Awaits {

  private Awaits() {}

  static void await(String what, BooleanSupplier condition) {
    Duration timeout = Duration.ofSeconds(10);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
