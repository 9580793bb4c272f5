package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import io.undertow.Undertow;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of clients come and go while items are published: streams and long-polls (some
 * asked again of the backend for recovery), closed politely, reset, or dropped before their
 * answer. Afterwards nothing may be left behind: no held connection, no subscription, and once
 * the linger is over, no channel.
 */
class ChurnTest {

  private static final int CYCLES = 3000;
  private static final int CHANNELS = 40;

  private Undertow backend;
  private P8Server p8;

  @BeforeEach
  void setUp() {
    backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(exchange -> {
      String channel = exchange.getQueryParameters().get("channel").getFirst();
      boolean stream = exchange.getRequestPath().startsWith("/stream");
      if (exchange.getRequestPath().startsWith("/recover")) {
        // A long-poll with a prev-id that unsequenced items never follow: every publish makes
        // P8 ask again with Grip-Last, which is answered at once.
        if (exchange.getRequestHeaders().contains("Grip-Last")) {
          exchange.getResponseSender().send("recovered\n");
          return;
        }
        channel += "; prev-id=0";
      }
      exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), stream ? "stream" : "response")
          .put(HttpString.tryFromString("Grip-Channel"), channel);
      exchange.getResponseSender().send("[open]\n");
    }).build();
    backend.start();
    int port = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
    p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + port).subscriptionLinger(Duration.ofMillis(200)).build().start();
  }

  @AfterEach
  void tearDown() {
    p8.close();
    backend.stop();
  }

  @Test
  void thousandsOfClientsComeAndGoAndLeaveNothingBehind() throws Exception {
    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicInteger published = new AtomicInteger();
    Thread publisher = new Thread(() -> {
      SplittableRandom random = new SplittableRandom(1);
      while (publishing.get()) {
        String channel = "c" + random.nextInt(CHANNELS);
        p8.publisher().publish(Item.builder(channel).httpStream(HttpStreamFormat.send("data\n"))
            .httpResponse(HttpResponseFormat.of(200, "data\n")).build());
        published.incrementAndGet();
        // Pacing, not waiting for anything: about five thousand publishes a second.
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    }, "churn-publisher");
    publisher.start();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    AtomicInteger opened = new AtomicInteger();
    for (int t = 0; t < 8; t++) {
      int seed = t;
      done.add(clients.submit(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CYCLES / 8; i++) {
          cycle(random, opened);
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    clients.shutdown();
    publishing.set(false);
    publisher.join();

    assertThat(opened.get()).as("clients that got as far as their first bytes").isGreaterThan(CYCLES / 2);
    assertThat(published.get()).isPositive();
    await("every held connection released", Duration.ofSeconds(20),
        () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
    assertThat(p8.heldConnections()).isZero();
    assertThat(p8.subscriptions()).isZero();
    assertThat(p8.engine().recoveryRetries()).as("long-polls asked again").isPositive();
    await("every lingering channel forgotten", () -> p8.engine().interestingChannels() == 0);
  }

  /**
   * One client: a stream, a long-poll or a long-poll that is retried on a random channel, ended
   * in one of three ways.
   */
  private void cycle(SplittableRandom random, AtomicInteger opened) throws IOException {
    String kind = switch (random.nextInt(3)) {
      case 0 -> "stream";
      case 1 -> "poll";
      default -> "recover";
    };
    String request = "GET /" + kind + "?channel=c" + random.nextInt(CHANNELS) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      switch (random.nextInt(3)) {
        case 0 -> {
          // Gone before any answer: the request may still be on its way to the backend.
        }
        case 1 -> {
          if (readSome(socket.getInputStream())) {
            opened.incrementAndGet();
          }
          socket.setSoLinger(true, 0); // a reset, not a polite close
        }
        default -> {
          if (readSome(socket.getInputStream())) {
            opened.incrementAndGet();
          }
        }
      }
    }
  }

  private static boolean readSome(InputStream in) throws IOException {
    return in.read(new byte[512]) > 0;
  }
}
