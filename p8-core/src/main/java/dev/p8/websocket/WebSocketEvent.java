package dev.p8.websocket;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One event of Pushpin's WebSocket-over-HTTP protocol ({@code application/websocket-events}):
 * something that happened on a client's WebSocket, or something a backend wants done to it.
 * Immutable and thread safe; equal when type and content bytes are equal.
 */
public final class WebSocketEvent {

  /** The kinds of event. */
  public enum Type {
    /** The connection opens (client to backend), or the backend accepts it. */
    OPEN,
    /** A text message, UTF-8. */
    TEXT,
    /** A binary message. */
    BINARY,
    /** A ping. */
    PING,
    /** A pong. */
    PONG,
    /** A close frame: a 2-byte big-endian code, then a UTF-8 reason. */
    CLOSE,
    /** The connection is gone without a close handshake (or must be dropped). */
    DISCONNECT
  }

  private static final byte[] EMPTY = new byte[0];
  private static final WebSocketEvent OPEN = new WebSocketEvent(Type.OPEN, EMPTY);
  private static final WebSocketEvent DISCONNECT = new WebSocketEvent(Type.DISCONNECT, EMPTY);

  private final Type type;
  private final byte[] content;

  private WebSocketEvent(Type type, byte[] content) {
    this.type = type;
    this.content = content;
  }

  /**
   * An OPEN event.
   *
   * @return the event
   */
  public static WebSocketEvent open() {
    return OPEN;
  }

  /**
   * A DISCONNECT event.
   *
   * @return the event
   */
  public static WebSocketEvent disconnect() {
    return DISCONNECT;
  }

  /**
   * A TEXT event carrying {@code text} as UTF-8.
   *
   * @param text the text
   * @return the event
   */
  public static WebSocketEvent text(String text) {
    return new WebSocketEvent(Type.TEXT, Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A BINARY event.
   *
   * @param data the payload, copied
   * @return the event
   */
  public static WebSocketEvent binary(byte[] data) {
    return new WebSocketEvent(Type.BINARY, Objects.requireNonNull(data, "data").clone());
  }

  /**
   * A PING event.
   *
   * @param data the payload, copied
   * @return the event
   */
  public static WebSocketEvent ping(byte[] data) {
    return new WebSocketEvent(Type.PING, Objects.requireNonNull(data, "data").clone());
  }

  /**
   * A PONG event.
   *
   * @param data the payload, copied
   * @return the event
   */
  public static WebSocketEvent pong(byte[] data) {
    return new WebSocketEvent(Type.PONG, Objects.requireNonNull(data, "data").clone());
  }

  /**
   * A CLOSE event.
   *
   * @param code   the close code, 0 to 65535, or -1 for a close without a code
   * @param reason the reason, or null or empty for none; a reason needs a code
   * @return the event
   * @throws IllegalArgumentException if the code is out of range, or a reason comes without a code
   */
  public static WebSocketEvent close(int code, String reason) {
    if (code < -1 || code > 0xFFFF) {
      throw new IllegalArgumentException("close code must be 0-65535 or -1 for none, was " + code);
    }
    if (code == -1) {
      if (reason != null && !reason.isEmpty()) {
        throw new IllegalArgumentException("close reason needs a close code, code was -1");
      }
      return new WebSocketEvent(Type.CLOSE, EMPTY);
    }
    byte[] r = reason == null ? EMPTY : reason.getBytes(StandardCharsets.UTF_8);
    byte[] c = new byte[2 + r.length];
    c[0] = (byte) (code >> 8);
    c[1] = (byte) code;
    System.arraycopy(r, 0, c, 2, r.length);
    return new WebSocketEvent(Type.CLOSE, c);
  }

  /**
   * An event of any type with raw content (copied). OPEN and DISCONNECT take no content; CLOSE
   * content is empty or a 2-byte big-endian code followed by a UTF-8 reason.
   *
   * @param type    the type
   * @param content the content, or null for none
   * @return the event
   * @throws IllegalArgumentException if OPEN or DISCONNECT get content, or CLOSE gets 1 byte
   */
  public static WebSocketEvent of(Type type, byte[] content) {
    Objects.requireNonNull(type, "type");
    byte[] c = content == null ? EMPTY : content.clone();
    if ((type == Type.OPEN || type == Type.DISCONNECT) && c.length > 0) {
      throw new IllegalArgumentException(type + " events carry no content");
    }
    if (type == Type.CLOSE && c.length == 1) {
      throw new IllegalArgumentException("CLOSE content must be empty or start with a 2-byte code");
    }
    return type == Type.OPEN ? OPEN : type == Type.DISCONNECT ? DISCONNECT : new WebSocketEvent(type, c);
  }

  /**
   * The type.
   *
   * @return the type
   */
  public Type type() {
    return type;
  }

  /**
   * The content; for CLOSE, the 2-byte code and the reason.
   *
   * @return a copy of the content, which the caller may change
   */
  public byte[] content() {
    return content.clone();
  }

  int length() {
    return content.length;
  }

  byte[] rawContent() {
    return content;
  }

  /**
   * The content decoded as UTF-8.
   *
   * @return the text
   */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  /**
   * The close code.
   *
   * @return for CLOSE, the code, or -1 when there is none; -1 for other types
   */
  public int closeCode() {
    return type == Type.CLOSE && content.length >= 2 ? ((content[0] & 0xFF) << 8) | (content[1] & 0xFF) : -1;
  }

  /**
   * The close reason.
   *
   * @return for CLOSE, the reason, or an empty string; empty for other types
   */
  public String closeReason() {
    return type == Type.CLOSE && content.length > 2
        ? new String(content, 2, content.length - 2, StandardCharsets.UTF_8) : "";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WebSocketEvent e && type == e.type && Arrays.equals(content, e.content);
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + Arrays.hashCode(content);
  }

  /** Type and size only, so logs never carry message content; a CLOSE also shows its code. */
  @Override
  public String toString() {
    if (type == Type.CLOSE && content.length >= 2) {
      return "CLOSE(" + closeCode() + ", " + (content.length - 2) + " bytes of reason)";
    }
    return type + (content.length == 0 ? "" : "(" + content.length + " bytes)");
  }
}
