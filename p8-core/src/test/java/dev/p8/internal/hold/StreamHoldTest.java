package dev.p8.internal.hold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.grip.KeepAlive;
import dev.p8.grip.KeepAliveMode;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StreamHoldTest {

  private final FakeScheduler time = new FakeScheduler();
  private final ChannelHub hub = new ChannelHub();
  private final FakeConnection connection = new FakeConnection(time);

  private StreamHold stream(KeepAlive keepAlive) {
    StreamHold hold = new StreamHold(hub, connection, List.of("c"), keepAlive, null);
    hold.start();
    return hold;
  }

  private static KeepAlive keepAlive(KeepAliveMode mode) {
    return KeepAlive.of(":\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20), mode);
  }

  @Test
  void appendsPublishedContentInOrder() {
    stream(null);
    hub.publish(Item.stream("c", "one\n"));
    hub.publish(Item.stream("c", "two\n"));
    assertThat(connection.written).containsExactly("one\n", "two\n");
  }

  @Test
  void closeActionEndsTheStreamAndLeavesTheChannel() {
    StreamHold hold = stream(null);
    hub.publish(Item.builder("c").httpStream(HttpStreamFormat.close()).build());
    assertThat(connection.finished).isTrue();
    assertThat(hold.isFinished()).isTrue();
    assertThat(hub.subscriptionCount()).isZero();
    hub.publish(Item.stream("c", "after close"));
    assertThat(connection.written).isEmpty();
  }

  @Test
  void idleKeepAliveIsSentOnlyAfterTheTimeoutWithoutWrites() {
    stream(keepAlive(KeepAliveMode.IDLE));
    time.advance(15, TimeUnit.SECONDS);
    hub.publish(Item.stream("c", "data\n"));
    time.advance(15, TimeUnit.SECONDS);
    assertThat(connection.written).as("20 s have passed, but only 15 s idle").containsExactly("data\n");

    time.advance(5, TimeUnit.SECONDS);
    assertThat(connection.written).containsExactly("data\n", ":\n");
    time.advance(20, TimeUnit.SECONDS);
    assertThat(connection.written).containsExactly("data\n", ":\n", ":\n");
    assertThat(time.pending()).as("one timer at a time").isEqualTo(1);
  }

  @Test
  void intervalKeepAliveIsSentEveryTimeoutEvenWhenBusy() {
    stream(keepAlive(KeepAliveMode.INTERVAL));
    time.advance(15, TimeUnit.SECONDS);
    hub.publish(Item.stream("c", "data\n"));
    time.advance(5, TimeUnit.SECONDS);
    assertThat(connection.written).containsExactly("data\n", ":\n");
  }

  @Test
  void aRefusedWriteEndsTheHold() {
    StreamHold hold = stream(keepAlive(KeepAliveMode.IDLE));
    connection.refuseWrites = true;
    hub.publish(Item.stream("c", "too much"));
    assertThat(hold.isFinished()).isTrue();
    assertThat(hub.subscriptionCount()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void clientClosingStopsKeepAlives() {
    StreamHold hold = stream(keepAlive(KeepAliveMode.INTERVAL));
    hold.clientClosed();
    time.advance(120, TimeUnit.SECONDS);
    assertThat(connection.written).isEmpty();
    assertThat(hub.subscriptionCount()).isZero();
  }

  private final List<Map<String, String>> fetches = new ArrayList<>();

  private StreamHold linked(Map<String, String> prevIds) {
    StreamHold hold = new StreamHold(hub, connection, List.of("c"), null, null);
    hold.followLinks(fetches::add, Duration.ofSeconds(120), prevIds);
    hold.start();
    return hold;
  }

  @Test
  void quietChannelsMakeTheStreamFetchItsLinkAfterTheLinkTimeout() {
    StreamHold hold = linked(Map.of());
    time.advance(100, TimeUnit.SECONDS);
    hub.publish(Item.stream("c", "busy\n"));
    time.advance(100, TimeUnit.SECONDS);
    assertThat(fetches).as("activity within the timeout restarted it").isEmpty();
    time.advance(20, TimeUnit.SECONDS);
    assertThat(fetches).containsExactly(Map.of());
    assertThat(hold.isFetching()).isTrue();
  }

  @Test
  void aGapInPrevIdsFetchesTheLinkWithTheLastKnownIdAndQueuesWhatFollows() {
    StreamHold hold = linked(Map.of("c", "1"));
    hub.publish(Item.builder("c").id("2").prevId("1").httpStream(HttpStreamFormat.send("two\n")).build());
    hub.publish(Item.builder("c").id("4").prevId("3").httpStream(HttpStreamFormat.send("four\n")).build());
    assertThat(connection.written).containsExactly("two\n");
    assertThat(fetches).containsExactly(Map.of("c", "2"));
    hub.publish(Item.builder("c").id("5").prevId("4").httpStream(HttpStreamFormat.send("five\n")).build());
    hub.publish(Item.builder("c").id("6").prevId("5").httpStream(HttpStreamFormat.send("six\n")).build());

    // The fetched page covered 3 and 4; the queued 5 follows on, then 6.
    hold.resume(List.of("c"), Map.of("c", "4"), null, Duration.ofSeconds(120));
    assertThat(connection.written).containsExactly("two\n", "five\n", "six\n");
    assertThat(hold.isFetching()).isFalse();
  }

  @Test
  void queuedItemsThatDoNotFollowTheFetchedStateAreDropped() {
    StreamHold hold = linked(Map.of("c", "1"));
    hold.fetchNow();
    hub.publish(Item.builder("c").id("2").prevId("1").httpStream(HttpStreamFormat.send("old\n")).build());
    hub.publish(Item.builder("c").id("3").prevId("2").httpStream(HttpStreamFormat.send("three\n")).build());
    hold.resume(List.of("c"), Map.of("c", "2"), null, Duration.ofSeconds(120));
    assertThat(connection.written).containsExactly("three\n");
  }

  @Test
  void hintFetchesTheLinkAtOnceAndResumeMovesTheChannels() {
    StreamHold hold = linked(Map.of());
    hub.publish(Item.builder("c").httpStream(HttpStreamFormat.hint()).build());
    assertThat(fetches).hasSize(1);
    hold.resume(List.of("d"), Map.of(), null, null);
    hub.publish(Item.stream("c", "left\n"));
    hub.publish(Item.stream("d", "joined\n"));
    assertThat(connection.written).containsExactly("joined\n");
    hub.publish(Item.builder("d").httpStream(HttpStreamFormat.hint()).build());
    assertThat(fetches).as("the new instructions had no link").hasSize(1);
    hold.end();
    assertThat(hub.subscriptionCount()).isZero();
  }
}
