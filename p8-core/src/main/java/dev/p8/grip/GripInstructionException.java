package dev.p8.grip;

/**
 * A backend's GRIP instructions could not be understood. The message names the header (or
 * the JSON field), the value and the reason, for logs and debug-mode responses.
 */
public final class GripInstructionException extends Exception {

  private static final long serialVersionUID = 1L;
  private final String header;

  /**
   * @param header  the header at fault, or {@code body} for the JSON form
   * @param message what is wrong
   */
  public GripInstructionException(String header, String message) {
    super(header + ": " + message);
    this.header = header;
  }

  /** The header at fault, such as {@code Grip-Timeout}, or {@code body} for the JSON form. */
  public String header() {
    return header;
  }
}
