package dev.p8.grip;

/** When a stream's keep-alive data is sent ({@code Grip-Keep-Alive; mode=}). */
public enum KeepAliveMode {
  /** After the timeout passes with nothing else sent. The default. */
  IDLE,
  /** Every timeout, whatever else was sent. */
  INTERVAL
}
