package dev.p8.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.List;
import java.util.Objects;

/**
 * The {@code http-stream} format of a published item: bytes appended to the streaming
 * responses (stream holds) open on the channel, or an instruction to close or refresh them.
 *
 * <p>Content is written verbatim, with no framing added: for Server-Sent Events the
 * {@code data:} lines and the blank line belong in the content. Instances are immutable and
 * thread safe; the content is copied on the way in and out.
 */
public final class HttpStreamFormat {

  /** What a published {@code http-stream} asks of the open streams. */
  public enum Action {
    /** Append the content. */
    SEND,
    /** Drop queued items and fetch the stream's next link at once; without one, nothing. */
    HINT,
    /** End the response body. */
    CLOSE
  }

  private static final byte[] EMPTY = new byte[0];
  private static final HttpStreamFormat CLOSE = new HttpStreamFormat(Action.CLOSE, EMPTY);
  private static final HttpStreamFormat HINT = new HttpStreamFormat(Action.HINT, EMPTY);

  private final Action action;
  private final byte[] content;
  private final List<String> contentFilters;

  private HttpStreamFormat(Action action, byte[] content) {
    this(action, content, null);
  }

  private HttpStreamFormat(Action action, byte[] content, List<String> contentFilters) {
    this.action = action;
    this.content = content;
    this.contentFilters = contentFilters;
  }

  /**
   * This format with {@code content-filters} set.
   *
   * @param names the filter names, in order; not null, none empty
   * @return a new format
   */
  public HttpStreamFormat withContentFilters(List<String> names) {
    return new HttpStreamFormat(action, content, ContentFilters.check(names));
  }

  /**
   * The {@code content-filters} of this format: when present, the item reaches only
   * subscribers whose content-changing filters ({@code build-id}, {@code var-subst}) are exactly
   * these, in this order (an empty list: only subscribers without such filters).
   *
   * @return the filter names, or empty when the format reaches every subscriber
   */
  public Optional<List<String>> contentFilters() {
    return Optional.ofNullable(contentFilters);
  }


  /**
   * Content to append, encoded as UTF-8.
   *
   * @param content the text, possibly empty
   * @return a {@link Action#SEND} format
   */
  public static HttpStreamFormat send(String content) {
    return new HttpStreamFormat(Action.SEND,
        Objects.requireNonNull(content, "content").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Content to append. The array is copied.
   *
   * @param content the bytes, possibly empty
   * @return a {@link Action#SEND} format
   */
  public static HttpStreamFormat send(byte[] content) {
    return new HttpStreamFormat(Action.SEND, Objects.requireNonNull(content, "content").clone());
  }

  /**
   * Ends the streams.
   *
   * @return the {@link Action#CLOSE} format, with empty content
   */
  public static HttpStreamFormat close() {
    return CLOSE;
  }

  /**
   * Asks the streams to fetch their next link now.
   *
   * @return the {@link Action#HINT} format, with empty content
   */
  public static HttpStreamFormat hint() {
    return HINT;
  }

  /**
   * The action.
   *
   * @return the action
   */
  public Action action() {
    return action;
  }

  /**
   * The content.
   *
   * @return a fresh copy of the content; empty for {@link Action#CLOSE} and {@link Action#HINT}
   */
  public byte[] content() {
    return content.clone();
  }

  /**
   * The content without copying it, for writing to many connections.
   *
   * @return a new read-only buffer over the content, positioned at 0; each call returns an
   *     independent buffer
   */
  public ByteBuffer contentBuffer() {
    return ByteBuffer.wrap(content).asReadOnlyBuffer();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof HttpStreamFormat)) {
      return false;
    }
    HttpStreamFormat other = (HttpStreamFormat) o;
    return action == other.action && Arrays.equals(content, other.content)
        && Objects.equals(contentFilters, other.contentFilters);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * action.hashCode() + Arrays.hashCode(content)) + Objects.hashCode(contentFilters);
  }

  @Override
  public String toString() {
    return action == Action.SEND
        ? "HttpStreamFormat{send " + content.length + " bytes"
            + (contentFilters != null ? ", contentFilters=" + contentFilters : "") + "}"
        : "HttpStreamFormat{" + action.name().toLowerCase(java.util.Locale.ROOT) + "}";
  }
}
