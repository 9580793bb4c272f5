package dev.p8.grip;

/**
 * A backend's GRIP instructions could not be understood. The message names the header (or,
 * for the JSON form, the field path), the offending value cut short, and why; it is one line of
 * at most 200 characters, fit for logs and debug-mode error bodies.
 */
public final class GripInstructionException extends Exception {

  /** Messages longer than this are cut. */
  static final int MAX_MESSAGE_LENGTH = 200;

  private static final long serialVersionUID = 1L;
  /** The header at fault, or {@code body}. */
  private final String header;

  /**
   * Makes an exception whose message is {@code header + ": " + message}.
   *
   * @param header  the header at fault, such as {@code Grip-Timeout}, or {@code body} for the
   *                JSON form
   * @param message what is wrong
   */
  public GripInstructionException(String header, String message) {
    super(cut(header + ": " + message));
    this.header = header;
  }

  private static String cut(String message) {
    return message.length() <= MAX_MESSAGE_LENGTH ? message
        : message.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
  }

  /**
   * The source of the error.
   *
   * @return the header at fault, such as {@code Grip-Timeout}, or {@code body} when the JSON
   *     form's body is at fault
   */
  public String header() {
    return header;
  }
}
