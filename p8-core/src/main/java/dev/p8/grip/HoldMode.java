package dev.p8.grip;

/** How a backend asks P8 to hold a client's request ({@code Grip-Hold}). */
public enum HoldMode {
  /** A long-poll: the response is sent later, by a publish or at the timeout. */
  RESPONSE,
  /** A stream: the response starts now and published content is appended to it. */
  STREAM
}
