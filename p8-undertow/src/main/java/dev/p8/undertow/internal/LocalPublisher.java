package dev.p8.undertow.internal;

import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Publishes straight into the hub of this process. Items are valid by construction. */
final class LocalPublisher implements Publisher {

  private final Engine engine;

  LocalPublisher(Engine engine) {
    this.engine = engine;
  }

  @Override
  public CompletionStage<Void> publish(List<Item> items) {
    Objects.requireNonNull(items, "items");
    for (Item item : items) {
      Objects.requireNonNull(item, "items must not contain null");
    }
    for (Item item : items) {
      engine.publish(item);
    }
    return CompletableFuture.completedFuture(null);
  }
}
