package dev.p8.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChannelInterestTest {

  private final FakeScheduler time = new FakeScheduler();
  private final ChannelHub hub = new ChannelHub();
  private final List<String> events = new ArrayList<>();
  private final ChannelInterest interest = new ChannelInterest(hub, time, time, Duration.ofSeconds(60),
      Duration.ofSeconds(1), s -> s instanceof LongPoll, new ChannelInterest.Listener() {
        @Override
        public void listen(String channel) {
          events.add("listen " + channel);
        }

        @Override
        public void settled(String channel) {
          events.add("settled " + channel);
        }

        @Override
        public void unlisten(String channel) {
          events.add("unlisten " + channel);
        }
      });

  ChannelInterestTest() {
    hub.channelListener(interest);
  }

  private static class Sub implements Subscriber {
    @Override
    public Executor executor() {
      return Runnable::run;
    }

    @Override
    public void deliver(String channel, Item item) { }
  }

  private static final class LongPoll extends Sub { }

  @Test
  void aChannelIsListenedToOnceAndSettlesASecondLater() {
    hub.subscribe("c", new Sub());
    hub.subscribe("c", new Sub());
    assertThat(events).containsExactly("listen c");

    time.advance(999, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen c");
    time.advance(1 + ChannelInterest.SETTLE_BATCH_MILLIS, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen c", "settled c");
  }

  @Test
  void channelsOpenedCloseTogetherSettleWithOneTimerAndNoneBeforeItsSecond() {
    hub.subscribe("a", new Sub());
    time.advance(30, TimeUnit.MILLISECONDS);
    hub.subscribe("b", new Sub());
    time.advance(40, TimeUnit.MILLISECONDS);
    hub.subscribe("c", new Sub());
    assertThat(time.pending()).as("one timer for all three").isEqualTo(1);

    // a is due at 1000 ms, b at 1030, c at 1070; the timer runs at 1050 and takes a and b.
    time.advance(1050 - 70, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen a", "listen b", "listen c", "settled a", "settled b");
    // c, 70 ms after a, waits for a timer of its own, and never settles early.
    time.advance(1070 + ChannelInterest.SETTLE_BATCH_MILLIS - 1050 - 1, TimeUnit.MILLISECONDS);
    assertThat(events).doesNotContain("settled c");
    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(events).endsWith("settled c");
    assertThat(time.pending()).isZero();
  }

  @Test
  void aChannelThatEndsAndBeginsAgainSettlesOnceForItsNewStart() {
    Sub s = new Sub();
    hub.subscribe("c", s);
    time.advance(500, TimeUnit.MILLISECONDS);
    hub.unsubscribe("c", s);
    hub.subscribe("c", new Sub());
    time.advance(600, TimeUnit.MILLISECONDS);
    // The first start's settle is stale: it is not reported.
    assertThat(events).containsExactly("listen c", "unlisten c", "listen c");
    time.advance(500, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen c", "unlisten c", "listen c", "settled c");
  }

  @Test
  void aStreamLeavesAtOnce() {
    Sub s = new Sub();
    hub.subscribe("c", s);
    hub.unsubscribe("c", s);
    assertThat(events).containsExactly("listen c", "unlisten c");
    assertThat(interest.contains("c")).isFalse();
    // Only the batched settle timer is left, and it finds nothing to settle.
    time.advance(2, TimeUnit.SECONDS);
    assertThat(events).containsExactly("listen c", "unlisten c");
    assertThat(time.pending()).isZero();
  }

  @Test
  void aLongPollLingersAndARepeatedPollKeepsTheChannel() {
    for (int i = 0; i < 1000; i++) {
      LongPoll p = new LongPoll();
      hub.subscribe("c", p);
      hub.unsubscribe("c", p);
      time.advance(10, TimeUnit.MILLISECONDS);
    }
    assertThat(events).containsExactly("listen c", "settled c");
    assertThat(interest.contains("c")).isTrue();
    assertThat(interest.lingering()).isEqualTo(1);

    // The last poll left 10 ms ago.
    time.advance(59_989, TimeUnit.MILLISECONDS);
    assertThat(interest.contains("c")).isTrue();
    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen c", "settled c", "unlisten c");
    assertThat(interest.size()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void aSubscriberArrivingWhileTheChannelLingersCallsTheLingerOff() {
    LongPoll p = new LongPoll();
    hub.subscribe("c", p);
    hub.unsubscribe("c", p);
    Sub s = new Sub();
    hub.subscribe("c", s);
    time.advance(2, TimeUnit.MINUTES);
    assertThat(events).containsExactly("listen c", "settled c");
    hub.unsubscribe("c", s);
    assertThat(events).containsExactly("listen c", "settled c", "unlisten c");
  }

  @Test
  void aChannelThatEndsBeforeItSettlesDoesNotSettle() {
    Sub s = new Sub();
    hub.subscribe("c", s);
    hub.unsubscribe("c", s);
    time.advance(5, TimeUnit.SECONDS);
    assertThat(events).containsExactly("listen c", "unlisten c");
  }

  @Test
  void aCloseReportedAfterTheChannelReopenedChangesNothing() {
    // The hub reports after the fact: a close may arrive when a new subscriber is already in.
    Sub s = new Sub();
    hub.subscribe("c", s);
    interest.channelClosed("c", new LongPoll());
    assertThat(interest.contains("c")).isTrue();
    assertThat(interest.lingering()).isZero();
  }

  @Test
  void closeCancelsEveryTimer() {
    LongPoll p = new LongPoll();
    hub.subscribe("c", p);
    hub.unsubscribe("c", p);
    interest.close();
    assertThat(time.pending()).isZero();
    assertThat(interest.size()).isZero();
  }
}
