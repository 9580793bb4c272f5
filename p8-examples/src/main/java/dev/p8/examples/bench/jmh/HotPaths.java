package dev.p8.examples.bench.jmh;

import dev.p8.grip.GripInstruction;
import dev.p8.grip.GripInstructionException;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.hub.Subscriber;
import dev.p8.internal.publish.InvalidPublishException;
import dev.p8.internal.publish.ItemJson;
import dev.p8.publish.Item;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import dev.p8.websocket.WebSocketEventsException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The code every request, publish and message goes through, without sockets: what the proxy
 * spends above the system calls. Run with
 * {@code java -cp p8-examples/target/p8.jar org.openjdk.jmh.Main HotPaths}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HotPaths {

  private static final Map<String, List<String>> HOLD_HEADERS = Map.of(
      "Content-Type", List.of("text/event-stream"),
      "Grip-Hold", List.of("stream"),
      "Grip-Channel", List.of("news; prev-id=41, sports"),
      "Grip-Keep-Alive", List.of(":\\n\\n; format=cstring; timeout=20"));
  private static final byte[] PUBLISH = ("{\"items\":[{\"channel\":\"news\",\"id\":\"42\",\"prev-id\":\"41\","
      + "\"formats\":{\"http-stream\":{\"content\":\"data: hello\\n\\n\"},"
      + "\"ws-message\":{\"content\":\"hello\"}}}]}").getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENTS = WebSocketEvents.encode(WebSocketEvent.text("hello, world"),
      WebSocketEvent.text("{\"type\":\"chat\",\"text\":\"hi\"}"), WebSocketEvent.ping(new byte[0]));

  /** Subscribers that run deliveries inline and count them: the hub's cost, not a thread's. */
  static final class CountingSubscriber implements Subscriber {
    static final Executor INLINE = Runnable::run;
    long delivered;

    @Override
    public Executor executor() {
      return INLINE;
    }

    @Override
    public void deliver(String channel, Item item) {
      delivered++;
    }
  }

  @Param({"1", "1000"})
  public int subscribers;

  private ChannelHub hub;
  private Item item;

  @Setup(Level.Trial)
  public void setUp() {
    hub = new ChannelHub();
    for (int i = 0; i < subscribers; i++) {
      hub.subscribe("news", new CountingSubscriber());
    }
    item = Item.stream("news", "data: hello\n\n");
  }

  /** One publish to a channel: per-subscriber cost is this divided by {@code subscribers}. */
  @Benchmark
  public int hubPublish() {
    return hub.publish(item);
  }

  @Benchmark
  public GripInstruction parseHoldHeaders() throws GripInstructionException {
    return GripInstruction.parse(HOLD_HEADERS, new byte[0]);
  }

  @Benchmark
  public List<Item> decodePublishJson() throws InvalidPublishException {
    return ItemJson.decodeItems(PUBLISH);
  }

  @Benchmark
  public List<WebSocketEvent> parseWebSocketEvents() throws WebSocketEventsException {
    return WebSocketEvents.parse(EVENTS);
  }

  @Benchmark
  public void encodeWebSocketEvents(Blackhole bh) {
    bh.consume(WebSocketEvents.encode(WebSocketEvent.text("hello, world"), WebSocketEvent.close(1000, "bye")));
  }
}
