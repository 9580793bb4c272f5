package dev.p8.internal.ws;

/** A control message is malformed; the message names the field and why. */
public final class ControlMessageException extends Exception {

  private static final long serialVersionUID = 1L;

  ControlMessageException(String message) {
    super(message);
  }
}
