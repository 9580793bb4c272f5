package dev.p8.examples;

import dev.p8.publish.Item;
import dev.p8.undertow.P8Listener;
import dev.p8.undertow.P8Server;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An event listener that counts deliveries per channel and the connections open, the kind of
 * figure the built-in metrics leave out because channel names are unbounded. Its methods run on
 * P8's I/O threads, so they only bump {@link LongAdder}s and never block.
 *
 * <pre>
 * java -cp p8.jar dev.p8.examples.ChannelCounter
 * curl -N 'http://localhost:7999/stream?channel=news'       # a held stream (test target)
 * curl -d '{"items":[{"channel":"news","formats":{"http-stream":{"content":"hi\n"}}}]}' \
 *     http://localhost:5561/publish
 * curl http://localhost:9090/metrics                          # the built-in metrics
 * </pre>
 */
public final class ChannelCounter implements P8Listener {

  private final ConcurrentHashMap<String, LongAdder> deliveries = new ConcurrentHashMap<>();
  private final LongAdder open = new LongAdder();

  @Override
  public void messageDelivered(Item item, Transport transport, long latencyNanos) {
    deliveries.computeIfAbsent(item.channel(), c -> new LongAdder()).increment();
  }

  @Override
  public void connectionOpened(String id, Transport transport, String route) {
    open.increment();
  }

  @Override
  public void connectionClosed(String id, Transport transport, String route) {
    open.decrement();
  }

  /** Deliveries so far by channel, sorted by name; a snapshot. */
  public Map<String, Long> deliveries() {
    Map<String, Long> out = new TreeMap<>();
    deliveries.forEach((channel, n) -> out.put(channel, n.sum()));
    return out;
  }

  /** Client connections open now. */
  public long openConnections() {
    return open.sum();
  }

  /**
   * Runs P8 with the built-in test backend, this counter and the Prometheus endpoint on port
   * 9090, printing the counts every ten seconds.
   *
   * @param args unused
   */
  public static void main(String[] args) throws InterruptedException {
    ChannelCounter counter = new ChannelCounter();
    P8Server p8 = P8Server.builder()
        .route("* test")
        .listener(counter)
        .prometheusListener("0.0.0.0", 9090)
        .build()
        .start();
    System.out.println("P8 on " + p8.url() + ", metrics on port " + p8.prometheusPort());
    ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor();
    printer.scheduleAtFixedRate(() -> System.out.println(counter.openConnections() + " open, deliveries "
        + counter.deliveries()), 10, 10, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      printer.shutdownNow();
      p8.stop();
    }));
    new CountDownLatch(1).await();
  }
}
