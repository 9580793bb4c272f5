package dev.p8.grip;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@code Grip-Link}: a next link (more content to fetch) or a gone link (to POST to when the
 * client leaves).
 *
 * @param uri     the link target as given, possibly relative
 * @param rel     {@code next} or {@code gone}
 * @param timeout for next links, how long a stream may go without activity before the link is
 *                fetched again; {@link GripInstruction#DEFAULT_LINK_TIMEOUT} unless given
 */
public record GripLink(String uri, String rel, Duration timeout) {

  /** Validates the parts. */
  public GripLink {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(rel, "rel");
    Objects.requireNonNull(timeout, "timeout");
  }
}
