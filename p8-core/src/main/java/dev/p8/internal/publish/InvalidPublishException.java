package dev.p8.internal.publish;

/**
 * A publish request was refused by {@link ItemJson}. The message is exactly the text the
 * control API answers with status 400, without the trailing newline the text/plain body adds,
 * for example {@code Invalid format: item 2: publish item object does not contain 'channel'}.
 */
public final class InvalidPublishException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the text for the 400 response
   */
  public InvalidPublishException(String message) {
    super(message);
  }
}
