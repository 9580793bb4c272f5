package dev.p8.grip;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The data a stream hold sends to keep a quiet connection open ({@code Grip-Keep-Alive} or the
 * JSON {@code hold.keep-alive}), how often, and whether other writes reset the timer.
 *
 * <p>Immutable and thread safe; {@link #content()} returns a copy.
 */
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
   * @param content the bytes to send, not empty; copied
   * @param timeout the period, at least one second
   * @param mode    {@link KeepAliveMode#IDLE} or {@link KeepAliveMode#INTERVAL}
   * @return the keep-alive
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the content is empty or the timeout under one second
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

  /**
   * The bytes to send, written as they are (no framing is added).
   *
   * @return a copy of the bytes, never empty
   */
  public byte[] content() {
    return content.clone();
  }

  /**
   * The period: in idle mode, how long the stream may be quiet before the data is sent; in
   * interval mode, the time between sends. Pushpin shortens each wait by a random 0-999 ms;
   * that is left to the hold.
   *
   * @return the period, at least one second
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Whether writes of published content restart the timer.
   *
   * @return the mode
   */
  public KeepAliveMode mode() {
    return mode;
  }

  /** Equal when content bytes, timeout and mode are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KeepAlive k && Arrays.equals(content, k.content)
        && timeout.equals(k.timeout) && mode == k.mode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(content), timeout, mode);
  }

  /** Shows the content length, timeout and mode, not the content. */
  @Override
  public String toString() {
    return "KeepAlive{" + content.length + " bytes, timeout=" + timeout + ", mode=" + mode + "}";
  }
}
