package dev.p8.internal.seq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Thousands of channels publish short id chains out of order, with repeats and lost items, on
 * a fake clock. Every item must come out exactly once, in order where the sequencer could know
 * the order, never later than message_wait after it arrived, and the sequencer must hold no
 * state once the channels have been idle long enough.
 */
class SequencerChurnTest {

  private static final int CHANNELS = 3000;
  private static final long MESSAGE_WAIT_MS = 5000;
  // Each channel's items arrive within this window, shorter than message_wait, so that on a
  // channel with no lost item every item's predecessor arrives before the item gives up.
  private static final long WINDOW_MS = 3000;

  private record Event(long atMs, Item item) { }

  private record Delivery(long atNanos, Item item) { }

  /** When an item first arrived: the clock, and how many deliveries had happened before. */
  private record Arrival(long atNanos, int deliveriesBefore) { }

  private static final class Plan {
    final List<Event> events = new ArrayList<>();
    final Map<String, List<String>> sentInOrder = new HashMap<>();
    final Set<String> channelsWithGaps = new HashSet<>();
    int duplicates;
  }

  private static Item item(String channel, int id, Integer prevId) {
    return Item.builder(channel).id(Integer.toString(id))
        .prevId(prevId == null ? null : Integer.toString(prevId))
        .wsMessage(WsMessageFormat.text(channel + "/" + id)).build();
  }

  private static Plan plan(long seed) {
    Random random = new Random(seed);
    Plan plan = new Plan();
    for (int c = 0; c < CHANNELS; c++) {
      String channel = "ch" + c;
      long start = random.nextInt(40_000);
      int length = 1 + random.nextInt(8);
      Set<Integer> lost = new HashSet<>();
      if (random.nextInt(10) < 3 && length > 1) {
        lost.add(1 + random.nextInt(length));
        if (random.nextBoolean()) {
          lost.add(1 + random.nextInt(length));
        }
        plan.channelsWithGaps.add(channel);
      }
      List<String> sent = new ArrayList<>();
      // Item 0 arrives first and alone, so that the channel's last id is known before the rest.
      plan.events.add(new Event(start, item(channel, 0, null)));
      sent.add("0");
      for (int id = 1; id <= length; id++) {
        if (lost.contains(id)) {
          continue;
        }
        Item it = item(channel, id, id - 1);
        plan.events.add(new Event(start + 1 + random.nextInt((int) WINDOW_MS), it));
        sent.add(Integer.toString(id));
        if (random.nextInt(5) == 0) {
          plan.events.add(new Event(start + 1 + random.nextInt((int) WINDOW_MS), it));
          plan.duplicates++;
        }
      }
      plan.sentInOrder.put(channel, sent);
    }
    // Stable sort: same-millisecond events keep their generation order, so item 0 stays first.
    plan.events.sort(Comparator.comparingLong(Event::atMs));
    return plan;
  }

  @Test
  void everyItemExactlyOnceInOrderWhereKnowableAndNothingLeftAfterIdle() {
    Plan plan = plan(42);
    FakeScheduler time = new FakeScheduler();
    List<Delivery> out = new ArrayList<>();
    Sequencer s = Sequencer.builder(time, time, i -> out.add(new Delivery(time.nanoTime(), i)))
        .messageWait(Duration.ofMillis(MESSAGE_WAIT_MS)).build();
    Map<String, Arrival> arrival = run(plan, time, s, Integer.MAX_VALUE, Integer.MAX_VALUE, out);

    Map<String, List<String>> delivered = new HashMap<>();
    Map<String, Integer> index = new HashMap<>();
    for (int n = 0; n < out.size(); n++) {
      Item i = out.get(n).item;
      delivered.computeIfAbsent(i.channel(), k -> new ArrayList<>()).add(i.id().orElseThrow());
      index.put(i.channel() + "/" + i.id().orElseThrow(), n);
    }
    for (int n = 0; n < out.size(); n++) {
      checkRule(n, out, arrival, index);
    }
    assertThat(delivered.keySet()).hasSize(CHANNELS);
    int gapChannels = 0;
    for (Map.Entry<String, List<String>> e : plan.sentInOrder.entrySet()) {
      List<String> got = delivered.get(e.getKey());
      if (plan.channelsWithGaps.contains(e.getKey())) {
        gapChannels++;
        assertThat(got).as(e.getKey()).containsExactlyInAnyOrderElementsOf(e.getValue());
      } else {
        assertThat(got).as(e.getKey()).containsExactlyElementsOf(e.getValue());
      }
    }
    assertThat(gapChannels).as("the plan has lost items to wait for").isGreaterThan(500);
    assertThat(plan.duplicates).isGreaterThan(1000);
    assertThat(s.droppedCount()).isEqualTo(plan.duplicates);

    assertThat(s.pendingCount()).isZero();
    time.advance(11, TimeUnit.MINUTES);
    assertThat(s.channelCount()).isZero();
    assertThat(s.cachedIdCount()).isZero();
    assertThat(time.pending()).as("no timer left once there is no state").isZero();
  }

  @Test
  void boundedMemoryStillDeliversEveryItemExactlyOnce() {
    Plan plan = plan(7);
    FakeScheduler time = new FakeScheduler();
    List<Item> out = new ArrayList<>();
    int maxChannels = 200;
    int maxIds = 1000;
    Sequencer s = Sequencer.builder(time, time, out::add).maxChannels(maxChannels)
        .idCacheMaxEntries(maxIds).build();
    run(plan, time, s, maxChannels, maxIds, out);

    Map<String, List<String>> delivered = new HashMap<>();
    for (Item i : out) {
      delivered.computeIfAbsent(i.channel(), k -> new ArrayList<>()).add(i.id().orElseThrow());
    }
    // A duplicate may pass once its id was evicted early, but no sent item is lost, and an id
    // comes out at most twice (it was sent at most twice).
    for (Map.Entry<String, List<String>> e : plan.sentInOrder.entrySet()) {
      List<String> got = delivered.get(e.getKey());
      assertThat(new HashSet<>(got)).as(e.getKey()).isEqualTo(new HashSet<>(e.getValue()));
      assertThat(got.size()).isLessThanOrEqualTo(2 * e.getValue().size());
    }
    time.advance(11, TimeUnit.MINUTES);
    assertThat(s.channelCount()).isZero();
    assertThat(s.cachedIdCount()).isZero();
    assertThat(s.pendingCount()).isZero();
  }

  /**
   * The sequencer's whole rule, checked from the outside: an item goes out when it arrives if
   * the channel's last delivery was its predecessor; else right after its predecessor if that
   * comes out before the item's deadline; else exactly at its deadline.
   */
  private static void checkRule(int n, List<Delivery> out, Map<String, Arrival> arrival,
      Map<String, Integer> index) {
    Delivery d = out.get(n);
    String channel = d.item.channel();
    String key = channel + "/" + d.item.id().orElseThrow();
    Arrival a = arrival.get(key);
    long deadline = a.atNanos + TimeUnit.MILLISECONDS.toNanos(MESSAGE_WAIT_MS);
    if (d.item.prevId().isEmpty()) {
      assertThat(n).as("%s has no prev-id: out on arrival", key).isEqualTo(a.deliveriesBefore);
      return;
    }
    String prevKey = channel + "/" + d.item.prevId().get();
    String lastBefore = null;
    for (int m = a.deliveriesBefore - 1; m >= 0; m--) {
      if (out.get(m).item.channel().equals(channel)) {
        lastBefore = channel + "/" + out.get(m).item.id().orElseThrow();
        break;
      }
    }
    Integer prevIndex = index.get(prevKey);
    if (prevKey.equals(lastBefore)) {
      assertThat(n).as("%s follows the last delivery: out on arrival", key)
          .isEqualTo(a.deliveriesBefore);
    } else if (prevIndex != null && prevIndex >= a.deliveriesBefore
        && out.get(prevIndex).atNanos < deadline) {
      assertThat(n).as("%s: out right after its predecessor", key).isEqualTo(prevIndex + 1);
    } else if (prevIndex != null && out.get(prevIndex).atNanos == deadline
        && n == prevIndex + 1) {
      return;
    } else {
      assertThat(d.atNanos).as("%s: out at its deadline", key).isEqualTo(deadline);
    }
  }

  private static Map<String, Arrival> run(Plan plan, FakeScheduler time, Sequencer s,
      int maxChannels, int maxIds, List<?> out) {
    Map<String, Arrival> arrival = new HashMap<>();
    long startNanos = time.nanoTime();
    for (Event e : plan.events) {
      long target = startNanos + TimeUnit.MILLISECONDS.toNanos(e.atMs);
      time.advance(target - time.nanoTime(), TimeUnit.NANOSECONDS);
      arrival.putIfAbsent(e.item.channel() + "/" + e.item.id().orElseThrow(),
          new Arrival(time.nanoTime(), out.size()));
      s.offer(e.item);
      assertThat(s.channelCount()).isLessThanOrEqualTo(maxChannels);
      assertThat(s.cachedIdCount()).isLessThanOrEqualTo(maxIds);
    }
    time.advance(MESSAGE_WAIT_MS, TimeUnit.MILLISECONDS);
    assertThat(s.pendingCount()).isZero();
    return arrival;
  }
}
