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
import java.util.List;
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
}
