package dev.p8.internal.seq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SequencerTest {

  private final FakeScheduler time = new FakeScheduler();
  private final List<Item> out = new ArrayList<>();

  private Sequencer.Builder builder() {
    return Sequencer.builder(time, time, out::add);
  }

  private static Item item(String channel, String id, String prevId) {
    return Item.builder(channel).id(id).prevId(prevId).meta("n", id == null ? "-" : id)
        .wsMessage(dev.p8.publish.WsMessageFormat.text("m")).build();
  }

  private List<String> delivered() {
    List<String> ids = new ArrayList<>();
    for (Item i : out) {
      ids.add(i.channel() + ":" + i.id().orElse("-"));
    }
    return ids;
  }

  @Test
  void inOrderItemsGoStraightThrough() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "2", "1"));
    s.offer(item("c", "3", "2"));

    assertThat(delivered()).containsExactly("c:1", "c:2", "c:3");
    assertThat(s.lastId("c")).contains("3");
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void theFirstItemOfAnUnknownChannelIsNotHeldBack() {
    Sequencer s = builder().build();
    s.offer(item("c", "5", "4"));

    assertThat(delivered()).containsExactly("c:5");
  }

  @Test
  void anItemAheadOfItsPredecessorWaitsThenBothGoOutInOrder() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "4", "3"));
    assertThat(delivered()).containsExactly("c:1");
    assertThat(s.pendingCount()).isEqualTo(2);

    s.offer(item("c", "2", "1"));

    assertThat(delivered()).containsExactly("c:1", "c:2", "c:3", "c:4");
    assertThat(s.pendingCount()).isZero();
    assertThat(s.lastId("c")).contains("4");
    assertThat(time.pending()).as("only the channel idle and id cache timer").isEqualTo(1);
  }

  @Test
  void aWaitingItemGoesOutAfterMessageWaitAndTheChannelContinuesFromIt() {
    Sequencer s = builder().messageWait(Duration.ofMillis(5000)).build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "4", "3"));

    time.advance(4999, TimeUnit.MILLISECONDS);
    assertThat(delivered()).containsExactly("c:1");
    time.advance(1, TimeUnit.MILLISECONDS);

    assertThat(delivered()).containsExactly("c:1", "c:3", "c:4");
    assertThat(s.lastId("c")).contains("4");
    s.offer(item("c", "5", "4"));
    assertThat(delivered()).endsWith("c:5");
  }

  @Test
  void aLatePredecessorAfterTheWaitWaitsInTurnThenRewindsTheChannel() {
    Sequencer s = builder().idCacheTtl(Duration.ZERO).build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    time.advance(5, TimeUnit.SECONDS);

    s.offer(item("c", "2", "1"));
    assertThat(s.pendingCount()).as("2 names prev-id 1, not the last id 3").isEqualTo(1);
    time.advance(5, TimeUnit.SECONDS);

    assertThat(delivered()).containsExactly("c:1", "c:3", "c:2");
    assertThat(s.lastId("c")).contains("2");
  }

  @Test
  void eachWaitingItemHasItsOwnDeadline() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    time.advance(2, TimeUnit.SECONDS);
    s.offer(item("c", "9", "8"));

    time.advance(3, TimeUnit.SECONDS);
    assertThat(delivered()).containsExactly("c:1", "c:3");
    time.advance(2, TimeUnit.SECONDS);
    assertThat(delivered()).containsExactly("c:1", "c:3", "c:9");
  }

  @Test
  void noSeqItemsBypassAndLeaveTheLastIdAlone() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "x", "zzz").toBuilder().noSeq(true).build());

    assertThat(delivered()).containsExactly("c:1", "c:x");
    assertThat(s.lastId("c")).contains("1");
    s.offer(item("c", "2", "1"), false);
    assertThat(delivered()).as("unsequenced: does not release 3").containsExactly("c:1", "c:x",
        "c:2");
  }

  @Test
  void anItemWithoutIdResetsTheChannel() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", null, "1"));
    assertThat(s.lastId("c")).isEmpty();
    assertThat(s.channelCount()).isZero();

    s.offer(item("c", "7", "6"));
    assertThat(delivered()).containsExactly("c:1", "c:-", "c:7");
  }

  @Test
  void anItemWithoutPrevIdNeverWaits() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "5", null));
    assertThat(delivered()).containsExactly("c:1", "c:5");
  }

  @Test
  void aSecondItemWaitingOnTheSamePrevIdIsDropped() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "3b", "2"));
    s.offer(item("c", "2", "1"));

    assertThat(delivered()).containsExactly("c:1", "c:2", "c:3");
    assertThat(s.droppedCount()).isEqualTo(1);
  }

  @Test
  void channelsAreIndependent() {
    Sequencer s = builder().build();
    s.offer(item("a", "1", null));
    s.offer(item("b", "1", null));
    s.offer(item("a", "3", "2"));
    s.offer(item("b", "2", "1"));
    s.offer(item("a", "2", "1"));

    assertThat(delivered()).containsExactly("a:1", "b:1", "b:2", "a:2", "a:3");
  }

  @Test
  void aFullQueueIsFlushedInArrivalOrderThenTheNewcomerIsHandled() {
    Sequencer s = builder().maxPendingPerChannel(3).build();
    s.offer(item("c", "0", null));
    s.offer(item("c", "10", "9"));
    s.offer(item("c", "11", "10"));
    s.offer(item("c", "20", "19"));
    assertThat(s.pendingCount()).isEqualTo(3);

    s.offer(item("c", "30", "29"));

    assertThat(delivered()).containsExactly("c:0", "c:10", "c:11", "c:20");
    assertThat(s.pendingCount()).as("30 waits afresh after 20").isEqualTo(1);
    s.offer(item("c", "21", "20"));
    assertThat(s.pendingCount()).isEqualTo(1);
    s.offer(item("c", "29", "21"));
    assertThat(delivered()).endsWith("c:21", "c:29", "c:30");
  }

  @Test
  void aFullQueueFlushAlsoReleasesTheNewcomerWhenItFitsAfterwards() {
    Sequencer s = builder().maxPendingPerChannel(1).build();
    s.offer(item("c", "0", null));
    s.offer(item("c", "5", "4"));
    s.offer(item("c", "6", "5"));

    assertThat(delivered()).containsExactly("c:0", "c:5", "c:6");
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void duplicateIdsAreDroppedWithinTheTtlEvenWhenUnsequenced() {
    Sequencer s = builder().idCacheTtl(Duration.ofSeconds(60)).build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "1", null));
    s.offer(item("c", "1", null).toBuilder().noSeq(true).build());
    s.offer(item("d", "1", null));

    assertThat(delivered()).containsExactly("c:1", "d:1");
    assertThat(s.droppedCount()).isEqualTo(2);

    time.advance(60, TimeUnit.SECONDS);
    s.offer(item("c", "1", null));
    assertThat(delivered()).containsExactly("c:1", "d:1", "c:1");
  }

  @Test
  void aDuplicateOfAWaitingItemIsDroppedBeforeSequencing() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "3", "2"));
    assertThat(s.droppedCount()).isEqualTo(1);
    s.offer(item("c", "2", "1"));
    assertThat(delivered()).containsExactly("c:1", "c:2", "c:3");
  }

  @Test
  void withTheCacheOffDuplicatesPass() {
    Sequencer s = builder().idCacheTtl(Duration.ZERO).build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "1", null));
    assertThat(delivered()).containsExactly("c:1", "c:1");
    assertThat(s.cachedIdCount()).isZero();
  }

  @Test
  void clearChannelDropsWaitingItemsAndForgetsTheLastId() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));

    s.clearChannel("c");
    time.advance(10, TimeUnit.SECONDS);

    assertThat(delivered()).containsExactly("c:1");
    assertThat(s.lastId("c")).isEmpty();
    assertThat(s.pendingCount()).isZero();
    assertThat(s.channelCount()).isZero();
  }

  @Test
  void forgetLastIdKeepsWaitingItemsAndLetsTheNextItemThrough() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.forgetLastId("c");
    s.offer(item("c", "2", "x"));

    assertThat(delivered()).containsExactly("c:1", "c:2", "c:3");
  }

  @Test
  void idleChannelsAreForgottenAndNothingIsLeftScheduled() {
    Sequencer s = builder().channelIdleTimeout(Duration.ofSeconds(30))
        .idCacheTtl(Duration.ofSeconds(60)).build();
    s.offer(item("a", "1", null));
    time.advance(20, TimeUnit.SECONDS);
    s.offer(item("b", "1", null));

    time.advance(10, TimeUnit.SECONDS);
    assertThat(s.lastId("a")).isEmpty();
    assertThat(s.lastId("b")).contains("1");
    time.advance(20, TimeUnit.SECONDS);
    assertThat(s.channelCount()).isZero();
    assertThat(s.cachedIdCount()).isEqualTo(2);
    time.advance(30, TimeUnit.SECONDS);
    assertThat(s.cachedIdCount()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void maxChannelsForgetsTheLeastRecentlyUsed() {
    Sequencer s = builder().maxChannels(2).build();
    s.offer(item("a", "1", null));
    s.offer(item("b", "1", null));
    s.offer(item("a", "2", "1"));
    s.offer(item("c", "1", null));

    assertThat(s.lastId("b")).isEmpty();
    assertThat(s.lastId("a")).contains("2");
    assertThat(s.lastId("c")).contains("1");
  }

  @Test
  void aFailingSinkDoesNotStopTheChain() {
    List<String> seen = new ArrayList<>();
    Sequencer s = Sequencer.builder(time, time, i -> {
      seen.add(i.id().orElse("-"));
      if (i.id().orElse("").equals("2")) {
        throw new IllegalStateException("boom");
      }
    }).build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "2", "1"));

    assertThat(seen).containsExactly("1", "2", "3");
  }

  @Test
  void theSinkMayNotOfferBack() {
    Sequencer[] self = new Sequencer[1];
    List<Throwable> errors = new ArrayList<>();
    self[0] = Sequencer.builder(time, time, i -> {
      try {
        self[0].offer(item("x", "1", null));
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    }).build();
    self[0].offer(item("c", "1", null));

    assertThat(errors).singleElement().extracting(Throwable::getMessage)
        .isEqualTo("the sequencer's sink must not offer items back to it");
  }

  @Test
  void offersFromManyThreadsKeepEachChannelInOrder() throws Exception {
    List<Item> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    Sequencer s = Sequencer.builder(time, time, seen::add).build();
    int threads = 4;
    int channelsPerThread = 50;
    int length = 41;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int n = 0; n < length; n++) {
          for (int c = 0; c < channelsPerThread; c++) {
            String channel = "t" + thread + "c" + c;
            // Each thread sends 0, then pairs reversed: 0,2,1,4,3,... so half the items wait.
            int id = n == 0 ? 0 : n % 2 == 1 ? n + 1 : n - 1;
            s.offer(item(channel, Integer.toString(id), id == 0 ? null : Integer.toString(id - 1)));
            s.offer(item(channel, Integer.toString(id), id == 0 ? null : Integer.toString(id - 1)));
          }
        }
      });
      workers.add(w);
      w.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(10_000);
      assertThat(w.isAlive()).as("worker finished").isFalse();
    }

    java.util.Map<String, List<String>> byChannel = new java.util.HashMap<>();
    for (Item i : seen) {
      byChannel.computeIfAbsent(i.channel(), k -> new ArrayList<>()).add(i.id().orElseThrow());
    }
    assertThat(byChannel).hasSize(threads * channelsPerThread);
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < length; n++) {
      expected.add(Integer.toString(n));
    }
    for (List<String> ids : byChannel.values()) {
      assertThat(ids).isEqualTo(expected);
    }
    assertThat(s.droppedCount()).isEqualTo((long) threads * channelsPerThread * length);
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void theSinkMayForgetOrClearAChannelAndItTakesEffectAfterTheChain() {
    Sequencer[] self = new Sequencer[1];
    List<String> seen = new ArrayList<>();
    self[0] = Sequencer.builder(time, time, i -> {
      seen.add(i.channel() + ":" + i.id().orElse("-"));
      if (i.id().orElse("").equals("2")) {
        self[0].clearChannel(i.channel());
      }
      if (i.id().orElse("").equals("x")) {
        self[0].forgetLastId(i.channel());
      }
    }).build();
    Sequencer s = self[0];
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.offer(item("c", "2", "1"));

    assertThat(seen).containsExactly("c:1", "c:2", "c:3");
    assertThat(s.channelCount()).isZero();

    s.offer(item("d", "x", null));
    s.offer(item("d", "y", "w"));
    assertThat(seen).endsWith("d:x", "d:y");
  }

  @Test
  void closeDropsEverythingAndCancelsTheTimer() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("c", "3", "2"));
    s.close();
    s.offer(item("c", "2", "1"));
    time.advance(1, TimeUnit.HOURS);

    assertThat(delivered()).containsExactly("c:1");
    assertThat(time.pending()).isZero();
  }

  @Test
  void optionsAreCheckedAndNamed() {
    assertThatThrownBy(() -> builder().messageWait(Duration.ZERO))
        .hasMessage("messageWait (PT0S) must be at least 1 ms (pushpin.conf [handler]"
            + " message_wait)");
    assertThatThrownBy(() -> builder().maxPendingPerChannel(0))
        .hasMessage("maxPendingPerChannel (0) must be at least 1");
    assertThatThrownBy(() -> builder().maxChannels(0))
        .hasMessage("maxChannels (0) must be at least 1");
    assertThatThrownBy(() -> builder().idCacheTtl(Duration.ofSeconds(-1)))
        .hasMessage("idCacheTtl (PT-1S) must not be negative (pushpin.conf [handler]"
            + " id_cache_ttl)");
    assertThatThrownBy(() -> builder().idCacheMaxEntries(0))
        .hasMessage("idCacheMaxEntries (0) must be at least 1");
    assertThatThrownBy(() -> builder().channelIdleTimeout(Duration.ofSeconds(5)).build())
        .hasMessage("channelIdleTimeout (PT5S) must be longer than messageWait (PT5S)");
    assertThat(builder().channelIdleTimeout(Duration.ZERO).build()).isNotNull();
  }

  @Test
  void flushLetsEveryWaitingItemOutInArrivalOrderWithItsChain() {
    Sequencer s = builder().build();
    s.offer(item("c", "1", null));
    s.offer(item("d", "1", null));
    s.offer(item("c", "4", "3"));
    s.offer(item("d", "3", "2"));
    s.offer(item("c", "5", "4"));

    assertThat(s.flush()).isEqualTo(3);

    assertThat(delivered()).containsExactly("c:1", "d:1", "c:4", "c:5", "d:3");
    assertThat(s.pendingCount()).isZero();
    assertThat(time.pending()).as("no deadline left armed").isLessThanOrEqualTo(1);
    time.advance(1, java.util.concurrent.TimeUnit.HOURS);
    assertThat(out).hasSize(5);
  }
}
