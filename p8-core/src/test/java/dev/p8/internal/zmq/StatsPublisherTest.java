package dev.p8.internal.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class StatsPublisherTest {

  @Test
  void encodesTypeSpaceThenTnetstringOrJson() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("route", "r1");
    fields.put("count", 3);
    assertThat(str(StatsPublisher.encode("activity", fields, StatsPublisher.Format.TNETSTRING)))
        .isEqualTo("activity T25:5:route,2:r1,5:count,1:3#}");
    assertThat(str(StatsPublisher.encode("activity", fields, StatsPublisher.Format.JSON)))
        .isEqualTo("activity J{\"route\":\"r1\",\"count\":3}");
  }

  @Test
  void sendsPushpinsPacketsToSubscribers() throws Exception {
    try (ZContext peers = new ZContext(1);
        StatsPublisher stats = new StatsPublisher("tcp://127.0.0.1:*",
            StatsPublisher.Format.JSON, "p8-1").start()) {
      ZMQ.Socket sub = peers.createSocket(SocketType.SUB);
      SocketThread.configure(sub);
      sub.setReceiveTimeOut(50);
      sub.connect(stats.endpoint());
      sub.subscribe(new byte[0]);
      // PUB drops what it sends before the subscription arrives, so probe until one gets through.
      long deadline = System.nanoTime() + Awaits.DEADLINE.toNanos();
      byte[] first = null;
      while (first == null) {
        assertThat(System.nanoTime() - deadline).as("a probe packet arrived").isNegative();
        stats.activity("probe", 1);
        first = sub.recv();
      }
      stats.message("news", "7", 2, -1, "http-stream");
      stats.connected("c1", "r", true, "10.0.0.1", false, 120);
      stats.disconnected("c1", "r");
      stats.subscribed("stream", "news", 60, 1);
      stats.unsubscribed("stream", "news");
      Map<String, Long> counters = new LinkedHashMap<>();
      counters.put("connections", 4L);
      counters.put("sent", -1L);
      stats.report(counters);

      sub.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
      String message;
      do {
        message = str(sub.recv());
      } while (message.startsWith("activity "));
      assertThat(message).isEqualTo("message J{\"from\":\"p8-1\",\"channel\":\"news\","
          + "\"item-id\":\"7\",\"count\":2,\"transport\":\"http-stream\"}");
      assertThat(str(sub.recv())).isEqualTo("conn J{\"from\":\"p8-1\",\"route\":\"r\","
          + "\"id\":\"c1\",\"type\":\"ws\",\"peer-address\":\"10.0.0.1\",\"ttl\":120}");
      assertThat(str(sub.recv())).isEqualTo("conn J{\"from\":\"p8-1\",\"route\":\"r\","
          + "\"id\":\"c1\",\"unavailable\":true}");
      assertThat(str(sub.recv())).isEqualTo("sub J{\"from\":\"p8-1\",\"mode\":\"stream\","
          + "\"channel\":\"news\",\"ttl\":60,\"subscribers\":1}");
      assertThat(str(sub.recv())).isEqualTo("sub J{\"from\":\"p8-1\",\"mode\":\"stream\","
          + "\"channel\":\"news\",\"unavailable\":true}");
      assertThat(str(sub.recv())).isEqualTo("report J{\"from\":\"p8-1\",\"connections\":4}");
    }
  }

  @Test
  void encodesNothingUntilSomeoneSubscribesAndStopsWhenTheLastOneLeaves() throws Exception {
    try (ZContext peers = new ZContext(1);
        StatsPublisher stats = new StatsPublisher("tcp://127.0.0.1:*",
            StatsPublisher.Format.TNETSTRING, null).start()) {
      assertThat(stats.isListened()).isFalse();
      ZMQ.Socket a = subscriber(peers, stats.endpoint(), "sub ".getBytes(StandardCharsets.US_ASCII),
          s -> stats.isListened());
      // b's subscription is seen by what reaches it: activity packets, sent while a listens.
      ZMQ.Socket b = subscriber(peers, stats.endpoint(), new byte[0], s -> {
        stats.activity("probe", 1);
        s.setReceiveTimeOut(50);
        return s.recv() != null;
      });
      a.unsubscribe("sub ".getBytes(StandardCharsets.US_ASCII));
      b.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
      // b still listens: packets still go out.
      long deadline = System.nanoTime() + Awaits.DEADLINE.toNanos();
      byte[] got = null;
      b.setReceiveTimeOut(50);
      // Probes sent before a left may still be on their way: only an "r" packet counts.
      while (got == null || str(got).contains("probe")) {
        assertThat(System.nanoTime() - deadline).as("a packet reached the remaining subscriber").isNegative();
        stats.activity("r", 1);
        got = b.recv();
      }
      assertThat(str(got)).startsWith("activity T").contains("5:route,1:r,");
      peers.destroySocket(b);
      Awaits.await("the last subscriber's leaving reached the stats socket", () -> !stats.isListened());
    }
  }

  /**
   * A SUB socket connected to the stats socket, once {@code arrived} shows its subscription
   * got there. With JeroMQ 0.6, about one SUB socket in fifteen that connects to an XPUB here
   * never gets its subscription through (measured with two bare JeroMQ sockets, 9 to 14 of
   * 150, with or without {@link SocketThread#configure}); such a socket is replaced after two
   * seconds, as a real subscriber would reconnect.
   */
  private static ZMQ.Socket subscriber(ZContext peers, String endpoint, byte[] prefix,
      java.util.function.Predicate<ZMQ.Socket> arrived) {
    long deadline = System.nanoTime() + Awaits.DEADLINE.toNanos();
    while (true) {
      ZMQ.Socket s = peers.createSocket(SocketType.SUB);
      SocketThread.configure(s);
      s.connect(endpoint);
      s.subscribe(prefix);
      if (Awaits.within(java.time.Duration.ofSeconds(2), () -> arrived.test(s))) {
        return s;
      }
      peers.destroySocket(s);
      assertThat(System.nanoTime() - deadline).as("a subscription reached the stats socket").isNegative();
    }
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
