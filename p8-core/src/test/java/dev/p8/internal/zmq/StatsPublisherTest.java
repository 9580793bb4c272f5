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
      ZMQ.Socket a = peers.createSocket(SocketType.SUB);
      SocketThread.configure(a);
      a.connect(stats.endpoint());
      a.subscribe("sub ".getBytes(StandardCharsets.US_ASCII));
      Awaits.await("the subscription reached the stats socket", stats::isListened);
      ZMQ.Socket b = peers.createSocket(SocketType.SUB);
      SocketThread.configure(b);
      b.connect(stats.endpoint());
      b.subscribe(new byte[0]);
      a.unsubscribe("sub ".getBytes(StandardCharsets.US_ASCII));
      b.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
      // b still listens: packets still go out.
      long deadline = System.nanoTime() + Awaits.DEADLINE.toNanos();
      byte[] got = null;
      b.setReceiveTimeOut(50);
      while (got == null) {
        assertThat(System.nanoTime() - deadline).as("a packet reached the remaining subscriber").isNegative();
        stats.activity("r", 1);
        got = b.recv();
      }
      assertThat(str(got)).startsWith("activity T");
      peers.destroySocket(b);
      Awaits.await("the last subscriber's leaving reached the stats socket", () -> !stats.isListened());
    }
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
