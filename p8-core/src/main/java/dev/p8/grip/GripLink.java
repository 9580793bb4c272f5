package dev.p8.grip;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@code Grip-Link}: a next link (more content to fetch after the current body) or a gone
 * link (to POST to once the client has left). Immutable and thread safe.
 *
 * @param uri     the link target as given between the angle brackets, possibly relative; the
 *                caller resolves it against the request URI
 * @param rel     {@code "next"} or {@code "gone"}
 * @param timeout for next links, how long a stream may go without activity on its channels
 *                before the link is fetched again: the {@code timeout} parameter, or
 *                {@link GripInstruction#DEFAULT_LINK_TIMEOUT}, never under one second. Gone
 *                links have no timeout parameter and always carry the default.
 */
public record GripLink(String uri, String rel, Duration timeout) {

  /** The relation of a next link. */
  public static final String NEXT = "next";
  /** The relation of a gone link. */
  public static final String GONE = "gone";

  /**
   * Validates the parts.
   *
   * @param uri the link target
   * @param rel {@code "next"} or {@code "gone"}
   * @param timeout the next-link timeout
   * @throws NullPointerException     if a part is null
   * @throws IllegalArgumentException if the URI is empty, the relation is neither
   *                                  {@code next} nor {@code gone}, or the timeout is negative
   */
  public GripLink {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(rel, "rel");
    Objects.requireNonNull(timeout, "timeout");
    if (uri.isEmpty()) {
      throw new IllegalArgumentException("link uri must not be empty");
    }
    if (!rel.equals(NEXT) && !rel.equals(GONE)) {
      throw new IllegalArgumentException("link rel must be 'next' or 'gone', not '" + rel + "'");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("link timeout must not be negative, was " + timeout);
    }
  }
}
