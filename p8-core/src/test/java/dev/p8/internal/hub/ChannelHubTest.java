package dev.p8.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChannelHubTest {

  /** Runs tasks when told, and counts them, so tests see exactly how fan-out is batched. */
  static final class ManualExecutor implements Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable command) {
      tasks.add(command);
    }

    void runAll() {
      List<Runnable> copy = new ArrayList<>(tasks);
      tasks.clear();
      copy.forEach(Runnable::run);
    }
  }

  static final class Recorder implements Subscriber {
    final Executor executor;
    final List<String> received = new ArrayList<>();

    Recorder(Executor executor) {
      this.executor = executor;
    }

    @Override
    public Executor executor() {
      return executor;
    }

    @Override
    public void deliver(String channel, Item item) {
      received.add(channel + ":" + new String(item.httpStream().orElseThrow().content()));
    }
  }

  private final ChannelHub hub = new ChannelHub();

  @Test
  void deliversToEverySubscriberOfTheChannelOnly() {
    ManualExecutor io = new ManualExecutor();
    Recorder a = new Recorder(io);
    Recorder b = new Recorder(io);
    Recorder other = new Recorder(io);
    hub.subscribe("news", a);
    hub.subscribe("news", b);
    hub.subscribe("sport", other);

    assertThat(hub.publish(Item.stream("news", "x"))).isEqualTo(2);
    io.runAll();

    assertThat(a.received).containsExactly("news:x");
    assertThat(b.received).containsExactly("news:x");
    assertThat(other.received).isEmpty();
  }

  @Test
  void onePublishIsOneTaskPerExecutorNotPerSubscriber() {
    ManualExecutor io1 = new ManualExecutor();
    ManualExecutor io2 = new ManualExecutor();
    for (int i = 0; i < 50; i++) {
      hub.subscribe("c", new Recorder(i % 2 == 0 ? io1 : io2));
    }
    hub.publish(Item.stream("c", "x"));
    assertThat(io1.tasks).hasSize(1);
    assertThat(io2.tasks).hasSize(1);
  }

  @Test
  void publishToAChannelWithoutSubscribersReachesNobody() {
    assertThat(hub.publish(Item.stream("nobody", "x"))).isZero();
  }

  @Test
  void unsubscribeStopsDeliveryAndDropsEmptyChannels() {
    ManualExecutor io = new ManualExecutor();
    Recorder a = new Recorder(io);
    hub.subscribe("c", a);
    assertThat(hub.subscribe("c", a)).as("second subscribe of the same subscriber").isFalse();
    assertThat(hub.subscriptionCount()).isEqualTo(1);

    assertThat(hub.unsubscribe("c", a)).isTrue();
    assertThat(hub.unsubscribe("c", a)).isFalse();
    hub.publish(Item.stream("c", "x"));
    io.runAll();

    assertThat(a.received).isEmpty();
    assertThat(hub.channelCount()).isZero();
    assertThat(hub.subscriptionCount()).isZero();
  }

  @Test
  void tellsTheListenerWhenChannelsOpenAndClose() {
    List<String> events = new ArrayList<>();
    hub.channelListener(new ChannelHub.ChannelListener() {
      @Override
      public void channelOpened(String channel) {
        events.add("open " + channel);
      }

      @Override
      public void channelClosed(String channel) {
        events.add("close " + channel);
      }
    });
    ManualExecutor io = new ManualExecutor();
    Recorder a = new Recorder(io);
    Recorder b = new Recorder(io);
    hub.subscribe("c", a);
    hub.subscribe("c", b);
    hub.unsubscribe("c", a);
    hub.unsubscribe("c", b);
    assertThat(events).containsExactly("open c", "close c");
  }

  @Test
  void aThrowingSubscriberDoesNotStopTheOthers() {
    ManualExecutor io = new ManualExecutor();
    Subscriber bad = new Subscriber() {
      @Override
      public Executor executor() {
        return io;
      }

      @Override
      public void deliver(String channel, Item item) {
        throw new IllegalStateException("boom");
      }
    };
    Recorder good = new Recorder(io);
    hub.subscribe("c", bad);
    hub.subscribe("c", good);
    hub.publish(Item.stream("c", "x"));
    io.runAll();
    assertThat(good.received).containsExactly("c:x");
  }

  @Test
  void anExecutorThatIsShuttingDownDoesNotStopThePublish() {
    Executor stopped = command -> {
      throw new java.util.concurrent.RejectedExecutionException("terminating");
    };
    ManualExecutor io = new ManualExecutor();
    Recorder gone = new Recorder(stopped);
    Recorder alive = new Recorder(io);
    hub.subscribe("c", gone);
    hub.subscribe("c", alive);
    assertThat(hub.publish(Item.stream("c", "x"))).isEqualTo(2);
    io.runAll();
    assertThat(alive.received).containsExactly("c:x");
  }

  @Test
  void concurrentPublishersKeepOneOrderForEverySubscriber() throws Exception {
    ExecutorService io1 = Executors.newSingleThreadExecutor();
    ExecutorService io2 = Executors.newSingleThreadExecutor();
    ExecutorService publishers = Executors.newFixedThreadPool(4);
    try {
      List<List<String>> seen = new ArrayList<>();
      int subscribers = 20;
      int perPublisher = 500;
      CountDownLatch all = new CountDownLatch(subscribers * 4 * perPublisher);
      for (int i = 0; i < subscribers; i++) {
        List<String> log = new ArrayList<>();
        seen.add(log);
        ExecutorService io = i % 2 == 0 ? io1 : io2;
        hub.subscribe("c", new Subscriber() {
          @Override
          public Executor executor() {
            return io;
          }

          @Override
          public void deliver(String channel, Item item) {
            log.add(new String(item.httpStream().orElseThrow().content()));
            all.countDown();
          }
        });
      }
      AtomicInteger next = new AtomicInteger();
      for (int p = 0; p < 4; p++) {
        publishers.execute(() -> {
          for (int i = 0; i < perPublisher; i++) {
            hub.publish(Item.stream("c", Integer.toString(next.getAndIncrement())));
          }
        });
      }
      assertThat(all.await(30, TimeUnit.SECONDS)).as("every delivery arrived").isTrue();
      // Executors are single threads; reading the logs after the latch is safe (happens-before via countDown).
      for (List<String> log : seen) {
        assertThat(log).hasSize(4 * perPublisher).isEqualTo(seen.get(0));
      }
    } finally {
      publishers.shutdownNow();
      io1.shutdownNow();
      io2.shutdownNow();
    }
  }

  @Test
  void pastTheQueueBoundAPublishIsDroppedAndCountedUntilTheQueueDrains() {
    ChannelHub hub = new ChannelHub();
    hub.maxQueuedDeliveries(2);
    ManualExecutor io = new ManualExecutor();
    Recorder a = new Recorder(io);
    Recorder b = new Recorder(io);
    hub.subscribe("c", a);
    hub.subscribe("c", b);

    assertThat(hub.publish(Item.stream("c", "1"))).isEqualTo(2);
    assertThat(hub.publish(Item.stream("c", "2"))).isEqualTo(2);
    List<String> drops = new ArrayList<>();
    hub.subscriptionListener(new ChannelHub.SubscriptionListener() {
      @Override
      public void droppedAtBound(String channel, int subscribers) {
        drops.add(channel + "x" + subscribers);
      }
    });
    assertThat(hub.publish(Item.stream("c", "3"))).isZero();
    assertThat(hub.queuedDeliveries()).isEqualTo(2);
    assertThat(hub.droppedDeliveries()).isEqualTo(2);
    assertThat(drops).as("the listener hears of the drop").containsExactly("cx2");

    io.runAll();
    assertThat(hub.queuedDeliveries()).isZero();
    assertThat(hub.publish(Item.stream("c", "4"))).isEqualTo(2);
    io.runAll();
    assertThat(a.received).hasSize(3);
  }

  @Test
  void aSubscriptionListenerSeesJoinsLeavesAndDeliveriesEvenWhenItThrows() {
    ManualExecutor io = new ManualExecutor();
    Recorder a = new Recorder(io);
    List<String> events = new ArrayList<>();
    hub.subscriptionListener(new ChannelHub.SubscriptionListener() {
      @Override
      public void subscribed(String channel, Subscriber subscriber) {
        events.add("joined " + channel);
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void unsubscribed(String channel, Subscriber subscriber) {
        events.add("left " + channel);
      }

      @Override
      public void delivered(String channel, Item item, Subscriber subscriber, long queuedNanos) {
        events.add("delivered " + channel + (queuedNanos >= 0 ? "" : " negative"));
        throw new IllegalStateException("listener bug");
      }
    });
    assertThat(hub.subscribe("c", a)).isTrue();
    assertThat(hub.subscribe("c", a)).as("a repeat is no event").isFalse();
    hub.publish(Item.stream("c", "x"));
    io.runAll();
    hub.unsubscribe("c", a);
    hub.unsubscribe("c", a);
    assertThat(events).containsExactly("joined c", "delivered c", "left c");
    assertThat(a.received).as("the listener's exceptions harm no delivery").containsExactly("c:x");
  }
}
