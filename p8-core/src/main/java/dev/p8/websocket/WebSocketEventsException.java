package dev.p8.websocket;

/**
 * An {@code application/websocket-events} body is malformed. The message says what is wrong and
 * at which byte offset; it never quotes the body except as hex of at most 8 bytes.
 */
public final class WebSocketEventsException extends Exception {

  /** The version of the serialized form. */
  private static final long serialVersionUID = 1L;
  /** Where in the body the problem is. */
  private final int offset;

  WebSocketEventsException(int offset, String reason) {
    super(reason + " at byte " + offset);
    this.offset = offset;
  }

  /**
   * The byte offset of the problem in the body.
   *
   * @return the offset, from 0 to the body length
   */
  public int offset() {
    return offset;
  }
}
