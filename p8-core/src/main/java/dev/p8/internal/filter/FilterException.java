package dev.p8.internal.filter;

/**
 * A filter name is unknown, or a filter could not render a message for a subscriber. The
 * message names the filter and, for content, the byte offset of the bad directive; it quotes
 * at most a short, escaped piece of the input.
 */
public final class FilterException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the complete message
   */
  public FilterException(String message) {
    super(message);
  }
}
