package dev.p8.publish;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Sends published items to the channels they name.
 *
 * <p>Implementations: the in-process publisher of a running server
 * ({@code P8Server.publisher()}), {@link HttpPublisher}, which posts to the control API
 * of one or several P8 or Pushpin instances, and {@link ZmqPublisher}, which sends over
 * ZeroMQ. Every implementation is thread safe and never
 * blocks the caller: the returned stage completes when the items were accepted, or
 * completes exceptionally with a {@link PublishException} that says why not.
 */
public interface Publisher {

  /**
   * Publishes items in order. Items are validated as a whole first: if one is invalid,
   * none is published.
   *
   * @param items the items, in the order subscribers should see them
   * @return a stage completing when every item was accepted
   */
  CompletionStage<Void> publish(List<Item> items);

  /**
   * Publishes one item.
   *
   * @param item the item
   * @return a stage completing when the item was accepted
   */
  default CompletionStage<Void> publish(Item item) {
    return publish(List.of(item));
  }
}
