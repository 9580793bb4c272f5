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
  private final ChannelInterest interest = new ChannelInterest(hub, time, Duration.ofSeconds(60),
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
    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(events).containsExactly("listen c", "settled c");
  }

  @Test
  void aStreamLeavesAtOnce() {
    Sub s = new Sub();
    hub.subscribe("c", s);
    hub.unsubscribe("c", s);
    assertThat(events).containsExactly("listen c", "unlisten c");
    assertThat(interest.contains("c")).isFalse();
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
