package dev.p8.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code ws-message} format of a published item: a WebSocket message for the connections
 * subscribed to the channel, or an instruction to close or refresh them.
 *
 * <p>Instances are immutable and thread safe; content is copied on the way in and out.
 */
public final class WsMessageFormat {

  /** What a published {@code ws-message} asks of the connections. */
  public enum Action {
    /** Send a message of {@link #type()} with {@link #content()}. */
    SEND,
    /** Close the connection, with {@link #closeCode()} and {@link #closeReason()}. */
    CLOSE,
    /** Make a WebSocket-over-HTTP connection call its backend at once. */
    REFRESH,
    /** Accepted for Pushpin compatibility; does nothing for WebSocket connections. */
    HINT
  }

  /** The kind of frame a {@link Action#SEND} sends. */
  public enum Type {
    /** A text message; content is UTF-8. */
    TEXT,
    /** A binary message. */
    BINARY,
    /** A ping frame, with the content as payload. */
    PING,
    /** A pong frame, with the content as payload. */
    PONG
  }

  /** The largest close code: a close frame carries the code in two bytes. */
  public static final int MAX_CLOSE_CODE = 0xffff;

  private static final byte[] EMPTY = new byte[0];
  private static final WsMessageFormat CLOSE = new WsMessageFormat(Action.CLOSE, Type.TEXT,
      EMPTY, -1, null);
  private static final WsMessageFormat REFRESH = new WsMessageFormat(Action.REFRESH, Type.TEXT,
      EMPTY, -1, null);
  private static final WsMessageFormat HINT = new WsMessageFormat(Action.HINT, Type.TEXT,
      EMPTY, -1, null);

  private final Action action;
  private final Type type;
  private final byte[] content;
  private final int closeCode;
  private final String closeReason;
  private final List<String> contentFilters;

  private WsMessageFormat(Action action, Type type, byte[] content, int closeCode,
      String closeReason) {
    this(action, type, content, closeCode, closeReason, null);
  }

  private WsMessageFormat(Action action, Type type, byte[] content, int closeCode,
      String closeReason, List<String> contentFilters) {
    this.action = action;
    this.type = type;
    this.content = content;
    this.closeCode = closeCode;
    this.closeReason = closeReason;
    this.contentFilters = contentFilters;
  }

  /**
   * This format with {@code content-filters} set.
   *
   * @param names the filter names, in order; not null, none empty
   * @return a new format
   */
  public WsMessageFormat withContentFilters(List<String> names) {
    return new WsMessageFormat(action, type, content, closeCode, closeReason,
        ContentFilters.check(names));
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
   * A text message.
   *
   * @param content the text, possibly empty
   * @return a {@link Action#SEND} format of type {@link Type#TEXT}
   */
  public static WsMessageFormat text(String content) {
    return new WsMessageFormat(Action.SEND, Type.TEXT,
        Objects.requireNonNull(content, "content").getBytes(StandardCharsets.UTF_8), -1, null);
  }

  /**
   * A binary message. The array is copied.
   *
   * @param content the bytes, possibly empty
   * @return a {@link Action#SEND} format of type {@link Type#BINARY}
   */
  public static WsMessageFormat binary(byte[] content) {
    return send(Type.BINARY, content);
  }

  /**
   * A message of any type with raw content, for example a ping. The array is copied. For
   * {@link Type#TEXT} the bytes are sent as they are and should be UTF-8.
   *
   * @param type    the frame type
   * @param content the payload, possibly empty
   * @return a {@link Action#SEND} format
   */
  public static WsMessageFormat send(Type type, byte[] content) {
    return new WsMessageFormat(Action.SEND, Objects.requireNonNull(type, "type"),
        Objects.requireNonNull(content, "content").clone(), -1, null);
  }

  /**
   * Closes the connections with a status code and an optional reason.
   *
   * @param code   the close code, 0 to {@value #MAX_CLOSE_CODE}
   * @param reason the reason, or null or empty for none
   * @return a {@link Action#CLOSE} format
   * @throws IllegalArgumentException if the code is out of range
   */
  public static WsMessageFormat close(int code, String reason) {
    if (code < 0 || code > MAX_CLOSE_CODE) {
      throw new IllegalArgumentException("close code must be between 0 and " + MAX_CLOSE_CODE
          + ", was " + code);
    }
    String r = reason == null || reason.isEmpty() ? null : reason;
    return new WsMessageFormat(Action.CLOSE, Type.TEXT, EMPTY, code, r);
  }

  /**
   * Closes the connections without a status code.
   *
   * @return a {@link Action#CLOSE} format with no code and no reason
   */
  public static WsMessageFormat close() {
    return CLOSE;
  }

  /**
   * Makes WebSocket-over-HTTP connections call their backend at once.
   *
   * @return the {@link Action#REFRESH} format
   */
  public static WsMessageFormat refresh() {
    return REFRESH;
  }

  /**
   * The hint action, which Pushpin accepts and ignores for WebSocket connections.
   *
   * @return the {@link Action#HINT} format
   */
  public static WsMessageFormat hint() {
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
   * The frame type of a {@link Action#SEND}.
   *
   * @return the type; {@link Type#TEXT} for the other actions, where it has no meaning
   */
  public Type type() {
    return type;
  }

  /**
   * The payload.
   *
   * @return a fresh copy of the payload; empty for actions other than {@link Action#SEND}
   */
  public byte[] content() {
    return content.clone();
  }

  /**
   * The payload without copying it, for writing to many connections.
   *
   * @return a new read-only buffer over the payload, positioned at 0; each call returns an
   *     independent buffer
   */
  public ByteBuffer contentBuffer() {
    return ByteBuffer.wrap(content).asReadOnlyBuffer();
  }

  /**
   * The close code of a {@link Action#CLOSE}.
   *
   * @return the code, or empty when none was given or the action is not {@code CLOSE}
   */
  public OptionalInt closeCode() {
    return closeCode < 0 ? OptionalInt.empty() : OptionalInt.of(closeCode);
  }

  /**
   * The close reason of a {@link Action#CLOSE}.
   *
   * @return the reason, or empty when none was given
   */
  public Optional<String> closeReason() {
    return Optional.ofNullable(closeReason);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof WsMessageFormat)) {
      return false;
    }
    WsMessageFormat other = (WsMessageFormat) o;
    return action == other.action
        && type == other.type
        && closeCode == other.closeCode
        && Objects.equals(closeReason, other.closeReason)
        && Arrays.equals(content, other.content)
        && Objects.equals(contentFilters, other.contentFilters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(action, type, closeCode, closeReason, Arrays.hashCode(content),
        contentFilters);
  }

  @Override
  public String toString() {
    switch (action) {
      case SEND:
        return "WsMessageFormat{" + type.name().toLowerCase(Locale.ROOT) + " " + content.length
            + " bytes" + (contentFilters != null ? ", contentFilters=" + contentFilters : "") + "}";
      case CLOSE:
        return "WsMessageFormat{close"
            + (closeCode >= 0 ? " " + closeCode : "")
            + (closeReason != null ? " " + closeReason : "") + "}";
      default:
        return "WsMessageFormat{" + action.name().toLowerCase(Locale.ROOT) + "}";
    }
  }
}
