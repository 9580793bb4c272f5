package dev.p8.internal.config;

/**
 * A configuration file that cannot be used. The message reads {@code <source>:<line>: <reason>}
 * for a syntax error and {@code <section>.<key>: <reason>} for a value of the wrong kind.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the complete message, in one of the two forms above
   */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message the complete message
   * @param cause   the underlying failure, such as an I/O error
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
