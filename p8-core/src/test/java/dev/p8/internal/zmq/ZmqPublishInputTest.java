package dev.p8.internal.zmq;

import static dev.p8.internal.zmq.Awaits.await;
import static dev.p8.internal.zmq.Awaits.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.publish.ZmqItems;
import dev.p8.internal.tnet.Tnetstring;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ZmqPublishInputTest {

  private final ZContext peers = new ZContext(1);
  private final BlockingQueue<Item> received = new LinkedBlockingQueue<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    peers.close();
    assertThat(received).as("unexpected items").isEmpty();
  }

  @Test
  void pullAcceptsEveryFramingAndSkipsGarbage() throws Exception {
    ZmqPublishInput input = start(ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*"));
    ZMQ.Socket push = peer(SocketType.PUSH);
    push.connect(input.pullEndpoint());

    push.send(ZmqItems.encodeJson(Item.stream("a", "json"), true));
    push.send(bytes("not a tnetstring"));
    push.sendMore(ZmqItems.encodeTnet(Item.stream("a", "two"), true));
    push.send(bytes("parts"));
    push.send(Tnetstring.encode(Map.of("channel", "a")));
    push.send(ZmqItems.encodeTnet(Item.stream("a", "tnet"), true));
    push.send(Tnetstring.encode(Map.of("channel", "a", "http-stream",
        Map.of("content", "bare"))));

    assertThat(next("json item", received)).isEqualTo(Item.stream("a", "json"));
    assertThat(next("T item", received)).isEqualTo(Item.stream("a", "tnet"));
    assertThat(next("bare item", received)).isEqualTo(Item.stream("a", "bare"));
    assertThat(input.droppedCount()).isEqualTo(3);
  }

  @Test
  void aFailingConsumerDoesNotStopTheInput() throws Exception {
    BlockingQueue<Item> seen = new LinkedBlockingQueue<>();
    ZmqPublishInput input = start(ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*")
        .consumer(item -> {
          seen.add(item);
          throw new IllegalStateException("boom");
        }));
    ZMQ.Socket push = peer(SocketType.PUSH);
    push.connect(input.pullEndpoint());
    push.send(ZmqItems.encodeTnet(Item.stream("a", "1"), true));
    push.send(ZmqItems.encodeTnet(Item.stream("a", "2"), true));

    assertThat(next("first", seen)).isEqualTo(Item.stream("a", "1"));
    assertThat(next("second", seen)).isEqualTo(Item.stream("a", "2"));
  }

  @Test
  void subForwardsSubscriptionsAndTakesTheChannelFrame() throws Exception {
    ZmqPublishInput input = start(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:*"));
    ZMQ.Socket xpub = peer(SocketType.XPUB);
    xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    xpub.connect(input.subEndpoints().get(0));

    input.listen("news");
    input.listen("news");
    assertThat(xpub.recv()).isEqualTo(bytes("\u0001news"));
    assertThat(input.subscriptions()).containsExactly("news");

    // "newsroom" passes ZeroMQ's prefix match but is not a listened channel.
    send(xpub, "newsroom", Item.stream("x", "no"));
    xpub.sendMore(bytes("news"));
    xpub.send(bytes("garbage"));
    send(xpub, "news", Item.stream("ignored", "yes"));
    assertThat(next("news item", received)).isEqualTo(Item.stream("news", "yes"));
    assertThat(input.droppedCount()).isEqualTo(1);

    input.unlisten("news");
    assertThat(xpub.recv()).isEqualTo(bytes("\u0000news"));
    await("unsubscribed", () -> input.subscriptions().isEmpty());
  }

  @Test
  void aPublisherThatConnectsLaterGetsTheSubscriptionsMadeBeforeIt() throws Exception {
    ZmqPublishInput input = start(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:*"));
    input.listen("early");
    input.listen("gone");
    input.unlisten("gone");
    input.listen("lingering");
    input.unlisten("lingering", true);
    await("noted", () -> input.subscriptions().equals(java.util.Set.of("early", "lingering")));

    ZMQ.Socket xpub = peer(SocketType.XPUB);
    xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    xpub.setXpubVerbose(true);
    xpub.connect(input.subEndpoints().get(0));
    // Each current subscription exactly once, and none of what was dropped before.
    List<byte[]> first = List.of(xpub.recv(), xpub.recv());
    assertThat(first).containsExactlyInAnyOrder(bytes("\u0001early"), bytes("\u0001lingering"));

    input.listen("late");
    assertThat(xpub.recv()).isEqualTo(bytes("\u0001late"));
    send(xpub, "early", Item.stream("early", "1"));
    send(xpub, "late", Item.stream("late", "2"));
    assertThat(next("early item", received)).isEqualTo(Item.stream("early", "1"));
    assertThat(next("late item", received)).isEqualTo(Item.stream("late", "2"));

    // A second publisher gets the whole set from ZeroMQ itself.
    ZMQ.Socket second = peer(SocketType.XPUB);
    second.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    second.connect(input.subEndpoints().get(0));
    List<byte[]> all = List.of(second.recv(), second.recv(), second.recv());
    assertThat(all).containsExactlyInAnyOrder(bytes("\u0001early"), bytes("\u0001lingering"),
        bytes("\u0001late"));

    input.unlisten("early");
    assertThat(xpub.recv()).isEqualTo(bytes("\u0000early"));
    xpub.setReceiveTimeOut(200);
    // Nothing more: no duplicate subscribe reached the first publisher.
    assertThat(xpub.recv()).isNull();
  }

  @Test
  void changesFromManyThreadsInBurstsAndPausesAllArrive() throws Exception {
    // Changes are applied in windows; none may be stranded in the queue when a window closes.
    ZmqPublishInput input = start(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:*"));
    int threads = 4;
    int perThread = 2_000;
    List<Thread> workers = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers.add(new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          String channel = "c" + id + "-" + i;
          input.listen(channel);
          if (i % 2 == 1) {
            input.unlisten(channel);
          }
          if (i % 500 == 0) {
            // A pause longer than the window, so that windows close and open again.
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
          }
        }
      }));
    }
    workers.forEach(Thread::start);
    for (Thread w : workers) {
      w.join();
    }
    java.util.Set<String> expected = new java.util.HashSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i += 2) {
        expected.add("c" + t + "-" + i);
      }
    }
    await("every change applied", () -> input.subscriptions().equals(expected));
    input.listen("after");
    await("a change after the burst", () -> input.subscriptions().contains("after"));
  }

  @Test
  void aPublisherThatRestartsOnItsPortGetsTheSubscriptionsAgain() throws Exception {
    int port;
    ZmqPublishInput input;
    try (ZContext publisher = new ZContext(1)) {
      ZMQ.Socket xpub = publisher.createSocket(SocketType.XPUB);
      SocketThread.configure(xpub);
      xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
      port = xpub.bindToRandomPort("tcp://127.0.0.1");
      input = start(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:" + port).subConnect(true));
      input.listen("c");
      assertThat(xpub.recv()).isEqualTo(bytes("\u0001c"));
    }
    // The input sees its connection closed, connects again, and subscribes on the new one.
    try (ZContext publisher = new ZContext(1)) {
      ZMQ.Socket xpub = publisher.createSocket(SocketType.XPUB);
      SocketThread.configure(xpub);
      xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
      xpub.bind("tcp://127.0.0.1:" + port);
      assertThat(xpub.recv()).as("the subscription, again").isEqualTo(bytes("\u0001c"));
      send(xpub, "c", Item.stream("c", "after the restart"));
      assertThat(next("item", received)).isEqualTo(Item.stream("c", "after the restart"));
    }
  }

  @Test
  void aLingeringUnlistenWaitsAndIsCancelledByListen() throws Exception {
    ZmqPublishInput input = start(ZmqPublishInput.builder().subSpec("tcp://127.0.0.1:*")
        .subscriptionLinger(Duration.ofMillis(200)));
    ZMQ.Socket xpub = peer(SocketType.XPUB);
    xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    xpub.connect(input.subEndpoints().get(0));

    input.listen("a");
    input.listen("b");
    assertThat(List.of(xpub.recv(), xpub.recv()))
        .containsExactlyInAnyOrder(bytes("\u0001a"), bytes("\u0001b"));

    long start = System.nanoTime();
    input.unlisten("a", true);
    input.unlisten("b", true);
    input.listen("b");
    // Only "a" goes, and only after the linger; "b" was listened to again in time.
    assertThat(xpub.recv()).isEqualTo(bytes("\u0000a"));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    // The socket thread sends the unsubscribe, then updates its set: the set may lag a moment.
    await("only b left", () -> input.subscriptions().equals(java.util.Set.of("b")));
    send(xpub, "b", Item.stream("b", "still here"));
    assertThat(next("b item", received)).isEqualTo(Item.stream("b", "still here"));
  }

  @Test
  void connectModeSubscribesThroughThePublishersXpub() throws Exception {
    ZMQ.Socket xpub = peer(SocketType.XPUB);
    xpub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    xpub.bind("tcp://127.0.0.1:*");
    ZmqPublishInput input = start(ZmqPublishInput.builder().subSpec(xpub.getLastEndpoint())
        .subConnect(true));

    input.listen("c");
    assertThat(xpub.recv()).isEqualTo(bytes("\u0001c"));
    send(xpub, "c", Item.message("c", "hi"));
    assertThat(next("c item", received)).isEqualTo(Item.message("c", "hi"));
    assertThat(input.subEndpoints()).containsExactly(xpub.getLastEndpoint());
  }

  @Test
  void aSpecThatCannotBeBoundFailsStartNamingTheOption() throws Exception {
    ZmqPublishInput first = start(ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*"));
    ZmqPublishInput second = ZmqPublishInput.builder().pullSpec(first.pullEndpoint())
        .consumer(received::add).build();
    closeables.add(second);

    assertThatThrownBy(second::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot bind push_in_spec " + first.pullEndpoint());
    assertThatThrownBy(first::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("ZmqPublishInput was already started");
  }

  @Test
  void closeReleasesTheSocketsAndIsIdempotent() throws Exception {
    ZmqPublishInput first = ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*")
        .consumer(received::add).build().start();
    String endpoint = first.pullEndpoint();
    first.close();
    first.close();

    ZmqPublishInput again = start(ZmqPublishInput.builder().pullSpec(endpoint));
    ZMQ.Socket push = peer(SocketType.PUSH);
    push.connect(endpoint);
    push.send(ZmqItems.encodeTnet(Item.stream("a", "again"), true));
    assertThat(next("item on the rebound port", received)).isEqualTo(Item.stream("a", "again"));
    assertThat(again.pullEndpoint()).isEqualTo(endpoint);
  }

  @Test
  void theBuilderChecksItsOptions() {
    assertThatThrownBy(() -> ZmqPublishInput.builder().pullSpec("tcp://127.0.0.1:*").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ZmqPublishInput needs a consumer: call consumer(...)");
    assertThatThrownBy(() -> ZmqPublishInput.builder().consumer(item -> { }).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ZmqPublishInput needs a socket: call pullSpec(...) or subSpec(...)");
    assertThatThrownBy(() -> ZmqPublishInput.builder().subscriptionLinger(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subscriptionLinger must not be negative, was PT-1S");
    assertThatThrownBy(() -> ZmqPublishInput.builder().maxMessageBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageBytes must be positive, was 0");
  }

  private ZmqPublishInput start(ZmqPublishInput.Builder builder) {
    ZmqPublishInput input;
    try {
      input = builder.build();
    } catch (IllegalStateException e) {
      input = builder.consumer(received::add).build();
    }
    closeables.add(input);
    return input.start();
  }

  private ZMQ.Socket peer(SocketType type) {
    ZMQ.Socket socket = peers.createSocket(type);
    SocketThread.configure(socket);
    return socket;
  }

  private static void send(ZMQ.Socket socket, String channel, Item item) {
    socket.sendMore(bytes(channel));
    socket.send(ZmqItems.encodeTnet(item, false));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
