package dev.p8.internal.ws;

/**
 * A control message is malformed; the message names the field and why. Pushpin logs and ignores
 * such messages, except a subscribe with too many filters, which closes the connection with
 * 1011: {@link #closesConnection()} tells the two apart.
 */
public final class ControlMessageException extends Exception {

  private static final long serialVersionUID = 1L;
  private final boolean closesConnection;

  ControlMessageException(String message) {
    this(message, false);
  }

  ControlMessageException(String message, boolean closesConnection) {
    super(message);
    this.closesConnection = closesConnection;
  }

  /**
   * Whether the connection must be closed (code 1011, this message as reason) rather than the
   * control message ignored.
   *
   * @return true only for a subscribe with more than {@link ControlMessages#MAX_FILTERS} filters
   */
  public boolean closesConnection() {
    return closesConnection;
  }
}
