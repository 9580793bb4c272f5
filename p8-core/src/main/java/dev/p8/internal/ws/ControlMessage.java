package dev.p8.internal.ws;

import java.time.Duration;
import java.util.List;

/** A GRIP control message from a WebSocket backend: the JSON after {@code c:}. */
public sealed interface ControlMessage {

  /** Subscribe the connection to a channel. */
  record Subscribe(String channel, List<String> filters) implements ControlMessage { }

  /** Leave a channel. */
  record Unsubscribe(String channel) implements ControlMessage { }

  /** Stop sending client events to the backend. */
  record Detach() implements ControlMessage { }

  /** Send {@code content} to the client when idle (or every timeout); null content turns it off. */
  record KeepAlive(byte[] content, MessageType messageType, Duration timeout, boolean interval) implements ControlMessage { }

  /** Send a message after a delay unless replaced or flushed first. */
  record SendDelayed(byte[] content, MessageType messageType, Duration timeout) implements ControlMessage { }

  /** Send the delayed message now. */
  record FlushDelayed() implements ControlMessage { }

  /** Set (or with a null value delete) connection meta. */
  record SetMeta(String name, String value) implements ControlMessage { }

  /** A type P8 does not know; ignored and logged. */
  record Unknown(String type) implements ControlMessage { }

  /** The frame type of keep-alive and delayed messages. */
  enum MessageType { TEXT, BINARY, PING, PONG }
}
