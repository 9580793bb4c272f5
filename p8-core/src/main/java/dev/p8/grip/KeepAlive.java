package dev.p8.grip;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/** Data a stream sends to keep an idle connection alive ({@code Grip-Keep-Alive}). Immutable. */
public final class KeepAlive {

  private final byte[] content;
  private final Duration timeout;
  private final KeepAliveMode mode;

  private KeepAlive(byte[] content, Duration timeout, KeepAliveMode mode) {
    this.content = content;
    this.timeout = timeout;
    this.mode = mode;
  }

  /**
   * Makes a keep-alive.
   *
   * @param content the bytes to send, not empty
   * @param timeout how often, at least one second
   * @param mode    idle or interval
   * @return the keep-alive
   */
  public static KeepAlive of(byte[] content, Duration timeout, KeepAliveMode mode) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(mode, "mode");
    if (content.length == 0) {
      throw new IllegalArgumentException("keep-alive content must not be empty");
    }
    if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("keep-alive timeout must be at least 1 s, was " + timeout);
    }
    return new KeepAlive(content.clone(), timeout, mode);
  }

  /** The bytes to send (a copy). */
  public byte[] content() {
    return content.clone();
  }

  /** The period. */
  public Duration timeout() {
    return timeout;
  }

  /** Idle or interval. */
  public KeepAliveMode mode() {
    return mode;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeepAlive k && Arrays.equals(content, k.content) && timeout.equals(k.timeout)
        && mode == k.mode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(content), timeout, mode);
  }

  @Override
  public String toString() {
    return "KeepAlive{" + content.length + " bytes, timeout=" + timeout + ", mode=" + mode + "}";
  }
}
