package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.internal.publish.ZmqItems;
import dev.p8.internal.zmq.SocketThread;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Publishing over ZeroMQ, into one P8 and across several, with real sockets. */
class ZmqTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private final ZContext zmq = new ZContext();
  private final List<P8Server> servers = new ArrayList<>();
  private final List<StreamReader> streams = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setHeader("Grip-Hold", "stream")
            .setHeader("Grip-Channel", request.getRequestUrl().queryParameter("channel")).setBody("[open]\n");
      }
    });
    backend.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    streams.forEach(StreamReader::close);
    servers.forEach(P8Server::close);
    zmq.close();
    backend.shutdown();
  }

  private P8Server start(P8Server.Builder b) {
    P8Server p8 = b.listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort()).build().start();
    servers.add(p8);
    return p8;
  }

  private StreamReader stream(P8Server p8, String channel) throws IOException {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/s?channel=" + channel).build());
    StreamReader s = new StreamReader(call, call.execute());
    streams.add(s);
    s.expect("[open]\n");
    return s;
  }

  @Test
  void itemsPushedToThePullSocketReachSubscribers() throws Exception {
    P8Server p8 = start(P8Server.builder().zmqPull("tcp://127.0.0.1:*"));
    StreamReader s = stream(p8, "z");
    await("subscribed", () -> p8.subscriptions() == 1);
    ZMQ.Socket push = zmq.createSocket(SocketType.PUSH);
    // JeroMQ stalls about one TCP handshake in fifty for 30 s unless the interval is short.
    SocketThread.configure(push);
    push.connect(p8.zmqPullEndpoint());
    push.send(bytes("not an item"));
    push.send(ZmqItems.encodeJson(Item.stream("z", "json framing\n"), true));
    push.send(ZmqItems.encodeTnet(Item.stream("z", "tnetstring framing\n"), true));
    s.expectNext("json framing\ntnetstring framing\n");
  }

  @Test
  void threeInstancesGetOnlyTheChannelsTheirClientsListenTo() throws Exception {
    ZMQ.Socket xpub = zmq.createSocket(SocketType.XPUB);
    // JeroMQ stalls about one TCP handshake in fifty for 30 s unless the interval is short.
    SocketThread.configure(xpub);
    int port = xpub.bindToRandomPort("tcp://127.0.0.1");
    xpub.setReceiveTimeOut(10_000);
    xpub.setXpubVerbose(true); // every instance's subscribe, not only the first per channel
    P8Server a = start(P8Server.builder().zmqSub("tcp://127.0.0.1:" + port).zmqSubConnect(true));
    P8Server b = start(P8Server.builder().zmqSub("tcp://127.0.0.1:" + port).zmqSubConnect(true));
    P8Server c = start(P8Server.builder().zmqSub("tcp://127.0.0.1:" + port).zmqSubConnect(true));
    StreamReader onA = stream(a, "news");
    StreamReader onB = stream(b, "news");
    StreamReader onC = stream(c, "sports");
    // Each instance subscribes its SUB socket to what its clients listen to: news twice, sports once.
    List<String> subscriptions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      subscriptions.add(new String(xpub.recv(), StandardCharsets.ISO_8859_1));
    }
    assertThat(subscriptions).containsExactlyInAnyOrder("\u0001news", "\u0001news", "\u0001sports");

    publish(xpub, Item.stream("news", "headline\n"));
    publish(xpub, Item.stream("sports", "score\n"));
    onA.expectNext("headline\n");
    onB.expectNext("headline\n");
    // C has no one on news, so it never got the headline: the score is the first thing it sees.
    onC.expectNext("score\n");

    streams.remove(onC);
    onC.close();
    await("C's client gone", () -> c.subscriptions() == 0);
    assertThat(new String(xpub.recv(), StandardCharsets.ISO_8859_1)).isEqualTo("\u0000sports");
  }

  @Test
  void aPublisherThatConnectsAfterTheClientsGetsTheirChannels() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    // The SUB socket binds; no publisher is there while the clients subscribe.
    P8Server p8 = start(P8Server.builder().zmqSub("tcp://127.0.0.1:" + port));
    StreamReader news = stream(p8, "news");
    StreamReader sports = stream(p8, "sports");
    await("subscribed", () -> p8.subscriptions() == 2);

    ZMQ.Socket xpub = zmq.createSocket(SocketType.XPUB);
    // JeroMQ stalls about one TCP handshake in fifty for 30 s unless the interval is short.
    SocketThread.configure(xpub);
    xpub.setReceiveTimeOut(10_000);
    xpub.setXpubVerbose(true);
    xpub.connect("tcp://127.0.0.1:" + port);
    List<String> subscriptions = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      subscriptions.add(new String(xpub.recv(), StandardCharsets.ISO_8859_1));
    }
    assertThat(subscriptions).containsExactlyInAnyOrder("\u0001news", "\u0001sports");

    StreamReader weather = stream(p8, "weather");
    assertThat(new String(xpub.recv(), StandardCharsets.ISO_8859_1)).isEqualTo("\u0001weather");
    publish(xpub, Item.stream("news", "headline\n"));
    publish(xpub, Item.stream("sports", "score\n"));
    publish(xpub, Item.stream("weather", "rain\n"));
    news.expectNext("headline\n");
    sports.expectNext("score\n");
    weather.expectNext("rain\n");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theCommandSocketNamesItsEndpointsAndPublishes() throws Exception {
    P8Server p8 = start(P8Server.builder().zmqPull("tcp://127.0.0.1:*").zmqCommand("tcp://127.0.0.1:*"));
    StreamReader s = stream(p8, "cmd");
    await("subscribed", () -> p8.subscriptions() == 1);
    ZMQ.Socket req = zmq.createSocket(SocketType.REQ);
    // JeroMQ stalls about one TCP handshake in fifty for 30 s unless the interval is short.
    SocketThread.configure(req);
    req.setReceiveTimeOut(10_000);
    req.connect(p8.zmqCommandEndpoint());

    req.send(dev.p8.internal.tnet.Tnetstring.encode(java.util.Map.of("id", "1", "method", "get-zmq-uris")));
    java.util.Map<String, Object> uris = (java.util.Map<String, Object>) dev.p8.internal.tnet.Tnetstring
        .withDefaults().decode(req.recv());
    assertThat(uris.get("success")).isEqualTo(true);
    java.util.Map<String, Object> value = (java.util.Map<String, Object>) uris.get("value");
    assertThat(new String((byte[]) value.get("command"), StandardCharsets.UTF_8)).isEqualTo(p8.zmqCommandEndpoint());
    assertThat(new String((byte[]) value.get("publish-pull"), StandardCharsets.UTF_8)).isEqualTo(p8.zmqPullEndpoint());

    req.send(dev.p8.internal.tnet.Tnetstring.encode(java.util.Map.of("id", "2", "method", "publish", "args",
        java.util.Map.of("items", List.of(java.util.Map.of("channel", "cmd",
            "formats", java.util.Map.of("http-stream", java.util.Map.of("content", "by command\n"))))))));
    java.util.Map<String, Object> published = (java.util.Map<String, Object>) dev.p8.internal.tnet.Tnetstring
        .withDefaults().decode(req.recv());
    assertThat(published.get("success")).isEqualTo(true);
    s.expectNext("by command\n");
  }

  private static void publish(ZMQ.Socket xpub, Item item) {
    xpub.sendMore(bytes(item.channel()));
    xpub.send(ZmqItems.encodeTnet(item, false));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
