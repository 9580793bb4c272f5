package dev.p8.websocket;

/** An {@code application/websocket-events} body is malformed; the message says where and why. */
public final class WebSocketEventsException extends Exception {

  private static final long serialVersionUID = 1L;
  private final int offset;

  /**
   * @param offset the byte offset of the problem
   * @param reason what is wrong
   */
  public WebSocketEventsException(int offset, String reason) {
    super(reason + " at byte " + offset);
    this.offset = offset;
  }

  /** The byte offset of the problem. */
  public int offset() {
    return offset;
  }
}
