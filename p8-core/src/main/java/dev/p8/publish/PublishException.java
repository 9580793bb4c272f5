package dev.p8.publish;

/**
 * A publish failed: an endpoint refused the items, answered with an error status, could not be
 * reached or did not answer in time, or an item was invalid. The message says which endpoint,
 * item or field, and why; the cause, when there is one, is kept.
 *
 * <p>{@link Publisher#publish(java.util.List)} reports it by completing its stage
 * exceptionally, so callers usually see it wrapped in a
 * {@link java.util.concurrent.CompletionException}.
 */
public final class PublishException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed and why
   */
  public PublishException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying failure.
   *
   * @param message what failed and why
   * @param cause   the underlying failure
   */
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
