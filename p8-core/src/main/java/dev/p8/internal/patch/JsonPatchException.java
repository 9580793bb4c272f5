package dev.p8.internal.patch;

/**
 * A JSON Patch could not be applied. The message names the operation by index, its
 * {@code op} and its path (quoted, escaped and shortened), and the reason.
 */
public final class JsonPatchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the complete message
   */
  public JsonPatchException(String message) {
    super(message);
  }
}
