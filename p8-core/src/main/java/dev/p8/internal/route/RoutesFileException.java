package dev.p8.internal.route;

/**
 * A routes file that cannot be used, with the line at fault. The message reads
 * {@code <sourceName>:<line>: <reason>}.
 */
public final class RoutesFileException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The 1-based number of the line at fault. */
  private final int line;

  /**
   * Creates the exception.
   *
   * @param sourceName the file name or other source label
   * @param line       the 1-based line number
   * @param reason     what is wrong with the line
   * @param cause      the parser's exception, or null
   */
  public RoutesFileException(String sourceName, int line, String reason, Throwable cause) {
    super(sourceName + ":" + line + ": " + reason, cause);
    this.line = line;
  }

  /**
   * Returns the 1-based number of the line at fault.
   *
   * @return the line number
   */
  public int line() {
    return line;
  }
}
