package dev.p8.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** message_rate: deliveries over the rate wait, in order, and go out at the rate. */
class ChannelHubRateTest {

  private final FakeScheduler time = new FakeScheduler();
  private final ChannelHub hub = new ChannelHub();
  private final List<String> received = new ArrayList<>();

  private final class Sub implements Subscriber {
    @Override
    public Executor executor() {
      return Runnable::run;
    }

    @Override
    public void deliver(String channel, Item item) {
      received.add(channel + ":" + new String(item.httpStream().orElseThrow().content()));
    }
  }

  private void publish(String channel, int from, int to) {
    for (int i = from; i < to; i++) {
      hub.publish(Item.stream(channel, Integer.toString(i)));
    }
  }

  @Test
  void overTheRateItemsWaitAndGoOutAtTheRateInOrder() {
    hub.messageRate(100, time, time);
    hub.subscribe("c", new Sub());

    publish("c", 0, 50);
    // A burst of 25 ms worth goes at once: the first, then two more 10 ms apart in the schedule.
    assertThat(received).hasSize(3);
    assertThat(hub.deliveriesWaitingForRate()).isEqualTo(47);
    assertThat(hub.queuedDeliveries()).isEqualTo(47);

    // Never more than the burst plus the rate; released in 25 ms batches, so a little less.
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(received.size()).isBetween(10, 3 + 10);
    time.advance(400, TimeUnit.MILLISECONDS);
    assertThat(received).hasSize(50);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("c:" + i);
    }
    assertThat(received).isEqualTo(expected);
    assertThat(hub.queuedDeliveries()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void theRateCountsSubscribersNotItems() {
    hub.messageRate(100, time, time);
    for (int i = 0; i < 10; i++) {
      hub.subscribe("c", new Sub());
    }
    publish("c", 0, 3);
    assertThat(received).hasSize(10);

    // 100 ms for ten deliveries, less the 25 ms burst allowance.
    time.advance(74, TimeUnit.MILLISECONDS);
    assertThat(received).hasSize(10);
    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(received).hasSize(20);
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(received).hasSize(30);
  }

  @Test
  void itemsOnDifferentChannelsKeepOnePublishOrder() {
    hub.messageRate(10, time, time);
    hub.subscribe("a", new Sub());
    hub.subscribe("b", new Sub());
    for (int i = 0; i < 5; i++) {
      publish("a", i, i + 1);
      publish("b", i, i + 1);
    }
    time.advance(2, TimeUnit.SECONDS);
    assertThat(received).containsExactly("a:0", "b:0", "a:1", "b:1", "a:2", "b:2", "a:3", "b:3", "a:4", "b:4");
  }

  @Test
  void whatWaitsIsBoundedByTheHighWaterMarkAndTheRestIsDroppedAndCounted() {
    hub.messageRate(10, time, time);
    hub.maxQueuedDeliveries(5);
    hub.subscribe("c", new Sub());

    publish("c", 0, 10);
    assertThat(received).containsExactly("c:0");
    assertThat(hub.deliveriesWaitingForRate()).isEqualTo(5);
    assertThat(hub.droppedDeliveries()).isEqualTo(4);

    time.advance(1, TimeUnit.SECONDS);
    assertThat(received).containsExactly("c:0", "c:1", "c:2", "c:3", "c:4", "c:5");
    assertThat(hub.droppedDeliveries()).isEqualTo(4);
  }

  @Test
  void aQuietPacerGivesBackItsBurst() {
    hub.messageRate(100, time, time);
    hub.subscribe("c", new Sub());
    publish("c", 0, 3);
    assertThat(received).hasSize(3);
    time.advance(1, TimeUnit.SECONDS);
    publish("c", 3, 6);
    assertThat(received).hasSize(6);
  }

  @Test
  void releaseWaitingLetsEverythingGoAtOnce() {
    hub.messageRate(1, time, time);
    hub.subscribe("c", new Sub());
    publish("c", 0, 4);
    assertThat(received).hasSize(1);

    assertThat(hub.releaseWaiting()).isEqualTo(3);
    assertThat(received).containsExactly("c:0", "c:1", "c:2", "c:3");
    assertThat(time.pending()).isZero();
  }

  @Test
  void withoutARateEverythingGoesAtOnce() {
    hub.messageRate(0, time, time);
    hub.subscribe("c", new Sub());
    publish("c", 0, 1000);
    assertThat(received).hasSize(1000);
    assertThat(hub.deliveriesWaitingForRate()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void aNegativeRateIsRefused() {
    assertThatThrownBy(() -> hub.messageRate(-1, time, time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("messageRate (-1) must be 0 (no limit) or more");
  }
}
