package dev.p8.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.zmq.ZmqPublishInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ZmqPublisher against real ZmqPublishInputs over TCP on 127.0.0.1. Every wait has a deadline;
 * that an input received nothing is proven by a marker item that arrives after everything else
 * on the same connection.
 */
class ZmqPublisherTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void xpubSendsEachInputExactlyTheChannelsItListensTo() throws Exception {
    ZmqPublisher publisher = track(ZmqPublisher.builder().xpubBind("tcp://127.0.0.1:*").build());
    String endpoint = publisher.boundEndpoints().get(0);
    List<List<String>> listens = List.of(List.of("a", "b"), List.of("b", "c"), List.of());
    List<BlockingQueue<Item>> received = new ArrayList<>();
    for (int i = 0; i < listens.size(); i++) {
      BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
      received.add(queue);
      ZmqPublishInput input = track(ZmqPublishInput.builder().subSpec(endpoint).subConnect(true)
          .consumer(queue::add).build().start());
      listens.get(i).forEach(input::listen);
      // Subscriptions travel in order on one connection: once the publisher has seen this one,
      // it has seen the input's others too.
      input.listen("end-" + i);
    }
    await("every input's subscriptions reached the publisher",
        () -> publisher.subscribedChannels().containsAll(Set.of("end-0", "end-1", "end-2")));
    assertThat(publisher.subscribedChannels())
        .containsExactlyInAnyOrder("a", "b", "c", "end-0", "end-1", "end-2");

    List<Item> items = List.of(Item.stream("a", "a1"), Item.stream("b", "b1"),
        Item.stream("nobody", "n1"), Item.stream("c", "c1"), Item.stream("b-prefixed", "p1"),
        Item.message("a", "a2"));
    await(publisher.publish(items));
    for (int i = 0; i < listens.size(); i++) {
      await(publisher.publish(Item.stream("end-" + i, "end")));
    }

    for (int i = 0; i < listens.size(); i++) {
      List<Item> expected = new ArrayList<>();
      for (Item item : items) {
        if (listens.get(i).contains(item.channel())) {
          expected.add(item);
        }
      }
      expected.add(Item.stream("end-" + i, "end"));
      assertThat(takeUntilMarker(received.get(i), "end-" + i)).as("input %d", i)
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void xpubForgetsAChannelWhenItsLastListenerLeaves() throws Exception {
    ZmqPublisher publisher = track(ZmqPublisher.builder().xpubBind("tcp://127.0.0.1:*").build());
    ZmqPublishInput input = track(ZmqPublishInput.builder()
        .subSpec(publisher.boundEndpoints().get(0)).subConnect(true)
        .consumer(item -> { }).build().start());

    input.listen("a");
    await("subscribed", () -> publisher.subscribedChannels().contains("a"));
    input.unlisten("a");
    await("unsubscribed", () -> publisher.subscribedChannels().isEmpty());
  }

  @Test
  void xpubConnectReachesAnInputWhoseSubBinds() throws Exception {
    BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    ZmqPublishInput input = track(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:*")
        .consumer(queue::add).build().start());
    ZmqPublisher publisher = track(ZmqPublisher.builder()
        .xpubConnect(input.subEndpoints().get(0)).build());

    input.listen("x");
    await("subscribed", () -> publisher.subscribedChannels().contains("x"));
    await(publisher.publish(Item.message("x", "hello")));

    assertThat(queue.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .isEqualTo(Item.message("x", "hello"));
  }

  @Test
  void pushSendsEveryItemToEveryInstance() throws Exception {
    List<BlockingQueue<Item>> received = new ArrayList<>();
    ZmqPublisher.Builder builder = ZmqPublisher.builder();
    for (int i = 0; i < 2; i++) {
      BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
      received.add(queue);
      ZmqPublishInput input = track(ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*")
          .consumer(queue::add).build().start());
      builder.pushTo(input.pullEndpoint());
    }
    ZmqPublisher publisher = track(builder.build());

    List<Item> items = List.of(Item.stream("a", "1"), Item.response("b", "2"),
        Item.message("c", "3"));
    await(publisher.publish(items));
    await(publisher.publish(Item.stream("end", "end")));

    for (BlockingQueue<Item> queue : received) {
      List<Item> expected = new ArrayList<>(items);
      expected.add(Item.stream("end", "end"));
      assertThat(takeUntilMarker(queue, "end")).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void publishingAfterCloseFails() {
    ZmqPublisher publisher = ZmqPublisher.builder().xpubBind("tcp://127.0.0.1:*").build();
    publisher.close();

    assertThatThrownBy(() -> publisher.publish(Item.stream("a", "x")).toCompletableFuture()
        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(PublishException.class)
        .hasMessageContaining("ZmqPublisher is closed");
  }

  @Test
  void theBuilderChecksItsOptions() {
    assertThatThrownBy(() -> ZmqPublisher.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ZmqPublisher needs a socket: call xpubBind(...), xpubConnect(...) or"
            + " pushTo(...)");
    assertThatThrownBy(() -> ZmqPublisher.builder().pushTo("tcp://h:1").pushTo("tcp://h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pushTo tcp://h:1 was already added");
    assertThatThrownBy(() -> ZmqPublisher.builder().xpubBind(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("xpubBind must not be blank");
    assertThatThrownBy(() -> ZmqPublisher.builder().xpubBind("nope://x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot bind xpubBind nope://x");
  }

  private static List<Item> takeUntilMarker(BlockingQueue<Item> queue, String markerChannel)
      throws InterruptedException {
    List<Item> out = new ArrayList<>();
    while (true) {
      Item item = queue.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      if (item == null) {
        throw new AssertionError("no marker on " + markerChannel + " within "
            + DEADLINE.toMillis() + " ms; received " + out);
      }
      out.add(item);
      if (item.channel().equals(markerChannel)) {
        assertThat(queue).as("nothing after the marker").isEmpty();
        return out;
      }
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private static void await(CompletionStage<Void> stage) throws Exception {
    stage.toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + DEADLINE.toMillis() + " ms waiting for: "
            + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
