package dev.p8.internal.tnet;

/**
 * Input was not a tnetstring that {@link Tnetstring} accepts. The message names the byte offset
 * and what was wrong there, and never repeats the input itself.
 */
public final class TnetstringException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int offset;

  /**
   * Creates an exception.
   *
   * @param offset the offset into the input where the problem was found
   * @param detail what was wrong
   */
  public TnetstringException(int offset, String detail) {
    super("invalid tnetstring at offset " + offset + ": " + detail);
    this.offset = offset;
  }

  /**
   * The offset into the decoded input at which the problem was found.
   *
   * @return a byte offset, 0 or more
   */
  public int offset() {
    return offset;
  }
}
