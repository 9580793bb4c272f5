package dev.p8.internal.hub;

import dev.p8.publish.Item;
import java.util.concurrent.Executor;

/**
 * Anything that receives what is published to a channel: a held response, a stream, a
 * WebSocket session. The hub knows nothing else of it.
 */
public interface Subscriber {

  /**
   * The executor that owns this subscriber, usually the I/O thread of its connection. The
   * hub runs every delivery there, and groups subscribers by it so that one publish costs one
   * task per executor, not one per subscriber. Must return the same executor for the
   * subscriber's whole life.
   */
  Executor executor();

  /**
   * Receives an item published to a channel this subscriber is on. Runs on {@link #executor()}.
   * It may still arrive shortly after an unsubscribe, so implementations ignore items once they
   * are finished. Must not block and should not throw: an exception is logged and swallowed.
   *
   * @param channel the channel the item was published to
   * @param item    the item
   */
  void deliver(String channel, Item item);
}
