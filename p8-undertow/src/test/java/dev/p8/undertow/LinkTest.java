package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.p8.internal.tnet.Tnetstring;
import dev.p8.internal.zmq.SocketThread;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Grip-Link next and gone links end to end: real P8, a real backend, real clients. */
class LinkTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
  private P8Server p8;

  private static MockResponse text(String body) {
    return new MockResponse().setHeader("Content-Type", "text/plain").setBody(body);
  }

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        seen.add(request);
        String path = request.getPath();
        switch (path) {
          case "/page1":
            return text("one\n").setHeader("Grip-Link", "</page2>; rel=next");
          case "/page2":
            return text("two\n").setHeader("Grip-Link", "<page3?x=1>; rel=next");
          case "/page3?x=1":
            return text("three\n");
          case "/history":
            return text("old\n").setHeader("Grip-Link", "</live>; rel=next");
          case "/live":
            return text("live\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "news");
          case "/broken":
            return text("start\n").setHeader("Grip-Link", "</fail>; rel=next");
          case "/fail":
            return new MockResponse().setResponseCode(500).setBody("no");
          case "/to-poll":
            return text("first\n").setHeader("Grip-Link", "</poll>; rel=next");
          case "/poll":
            return text("held\n").setHeader("Grip-Hold", "response").setHeader("Grip-Channel", "p");
          case "/reliable":
            return text("[1]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "r; prev-id=1")
                .setHeader("Grip-Link", "</reliable-next>; rel=next");
          case "/reliable-next":
            return text("[3][4]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "r; prev-id=4")
                .setHeader("Grip-Link", "</reliable-next>; rel=next");
          case "/plain-r":
            return text("[plain]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "r");
          case "/reliable7":
            return text("[7]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "r; prev-id=7")
                .setHeader("Grip-Link", "</reliable-next>; rel=next");
          case "/unlinked":
            return text("[1]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "u; prev-id=1");
          case "/gone-stream":
            return text("[open]\n").setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "g")
                .setHeader("Grip-Link", "</left?who=me>; rel=gone");
          case "/gone-poll":
            return text("timeout\n").setHeader("Grip-Hold", "response").setHeader("Grip-Channel", "gp")
                .setHeader("Grip-Link", "</left?who=poller>; rel=gone");
          case "/left?who=me":
          case "/left?who=poller":
            return new MockResponse();
          default:
            return new MockResponse().setResponseCode(404);
        }
      }
    });
    backend.start();
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .controlListener("127.0.0.1", 0)
        .route("* 127.0.0.1:" + backend.getPort())
        .debug(true)
        // Tests below assert exactly which next-link fetches happen; the update a second after
        // a first subscription refetches too (see aSecondAfterTheFirstSubscription...).
        .updateOnFirstSubscription(false)
        .linkRetryDelay(Duration.ofMillis(5))
        // A gap is only seen once the sequencer stops waiting for the missing item.
        .messageWait(Duration.ofMillis(50))
        .build()
        .start();
  }

  @AfterEach
  void tearDown() throws IOException {
    p8.close();
    backend.shutdown();
  }

  private List<RecordedRequest> requestsTo(String path) {
    return seen.stream().filter(r -> r.getPath().equals(path)).toList();
  }

  private StreamReader open(String path) throws IOException {
    Call call = client.newCall(new Request.Builder().url(p8.url() + path).build());
    Response r = call.execute();
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.header("Grip-Link")).isNull();
    return new StreamReader(call, r);
  }

  @Test
  void aChainOfNextLinksIsOneStreamedResponse() throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/page1").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(r.header("Grip-Link")).isNull();
      assertThat(r.body().string()).isEqualTo("one\ntwo\nthree\n");
    }
    RecordedRequest page2 = requestsTo("/page2").get(0);
    assertThat(page2.getMethod()).isEqualTo("GET");
    assertThat(page2.getHeader("Grip-Feature")).contains("link:next");
    assertThat(requestsTo("/page3?x=1")).as("a relative link resolves against the page it came on").hasSize(1);
    await("the stream to be released", () -> p8.heldConnections() == 0);
  }

  @Test
  void aPageWithAStreamHoldMakesTheResponseLive() throws Exception {
    try (StreamReader stream = open("/history")) {
      stream.expect("old\nlive\n");
      await("the live part to subscribe", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.stream("news", "breaking\n"));
      stream.expect("breaking\n");
      p8.publisher().publish(Item.builder("news").httpStream(HttpStreamFormat.close()).build());
      assertThat(stream.expectEnd()).isEmpty();
    }
  }

  @Test
  void aLinkThatKeepsFailingIsTriedFiveMoreTimesThenTheStreamEnds() throws Exception {
    try (StreamReader stream = open("/broken")) {
      stream.expect("start\n");
      assertThat(stream.expectEnd()).isEqualTo("\n\nFailed to retrieve next link.\n");
    }
    assertThat(requestsTo("/fail")).hasSize(6);
    await("the stream to be released", () -> p8.heldConnections() == 0);
  }

  @Test
  void aPageMayNotHoldAsALongPoll() throws Exception {
    try (StreamReader stream = open("/to-poll")) {
      stream.expect("first\n");
      assertThat(stream.expectEnd()).isEqualTo("\n\nNext link returned non-stream hold.\n");
    }
  }

  @Test
  void aGapInPrevIdsRefetchesTheLinkWithGripLast() throws Exception {
    try (StreamReader stream = open("/reliable")) {
      stream.expect("[1]\n");
      await("subscription", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("r").id("2").prevId("1").httpStream(HttpStreamFormat.send("[2]\n")).build());
      stream.expectNext("[2]\n");
      // 3 was lost on the way: 4 does not follow 2, so P8 asks the backend what it missed.
      p8.publisher().publish(Item.builder("r").id("4").prevId("3").httpStream(HttpStreamFormat.send("[4] live\n")).build());
      stream.expectNext("[3][4]\n");
      assertThat(requestsTo("/reliable-next").get(0).getHeader("Grip-Last")).isEqualTo("r; last-id=2");
      p8.publisher().publish(Item.builder("r").id("5").prevId("4").httpStream(HttpStreamFormat.send("[5]\n")).build());
      stream.expectNext("[5]\n");
    }
  }

  @Test
  void aFirstHoldBehindTheChannelsLastIdFetchesTheNextLinkAtOnce() throws Exception {
    try (StreamReader other = open("/plain-r")) {
      other.expect("[plain]\n");
      await("the first stream to subscribe", () -> p8.subscriptions() == 1);
      // With a subscriber on r, P8 learns that r's last id is now 7.
      p8.publisher().publish(Item.builder("r").id("7").httpStream(HttpStreamFormat.send("[7]\n")).build());
      other.expectNext("[7]\n");
      try (StreamReader stream = open("/reliable")) {
        // The backend said prev-id=1: it has not seen 7, so P8 asks at once, no publish needed.
        stream.expect("[1]\n");
        stream.expectNext("[3][4]\n");
        assertThat(requestsTo("/reliable-next").get(0).getHeader("Grip-Last")).isEqualTo("r; last-id=1");
      }
    }
  }

  @Test
  void aFirstHoldInStepWithTheChannelIsNotRefetched() throws Exception {
    try (StreamReader other = open("/plain-r")) {
      other.expect("[plain]\n");
      await("the first stream to subscribe", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("r").id("7").httpStream(HttpStreamFormat.send("[7]\n")).build());
      other.expectNext("[7]\n");
      try (StreamReader stream = open("/reliable7")) {
        stream.expect("[7]\n");
        await("the second stream to subscribe", () -> p8.subscriptions() == 2);
        p8.publisher().publish(Item.builder("r").id("8").prevId("7").httpStream(HttpStreamFormat.send("[8]\n")).build());
        stream.expectNext("[8]\n");
        other.expectNext("[8]\n");
      }
    }
    assertThat(requestsTo("/reliable-next")).isEmpty();
  }

  @Test
  void aHintFetchesTheNextLinkAtOnce() throws Exception {
    try (StreamReader stream = open("/reliable")) {
      stream.expect("[1]\n");
      await("subscription", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("r").httpStream(HttpStreamFormat.hint()).build());
      stream.expectNext("[3][4]\n");
      assertThat(requestsTo("/reliable-next").get(0).getHeader("Grip-Last")).isEqualTo("r; last-id=1");
    }
  }

  /** A second P8 on the same backend, with the first-subscription update on (the default). */
  private P8Server withUpdates(P8Server.Builder b) {
    return b.listen("127.0.0.1", 0).noControlListener().route("* 127.0.0.1:" + backend.getPort())
        .build().start();
  }

  private StreamReader open(P8Server server, String path) throws IOException {
    Call call = client.newCall(new Request.Builder().url(server.url() + path).build());
    Response r = call.execute();
    assertThat(r.code()).isEqualTo(200);
    return new StreamReader(call, r);
  }

  @Test
  void aSecondAfterTheFirstSubscriptionAReliableStreamRefetchesItsNextLink() throws Exception {
    try (P8Server updating = withUpdates(P8Server.builder()); StreamReader stream = open(updating, "/reliable")) {
      stream.expect("[1]\n");
      // Published while the subscription was on its way: the backend knows, P8 asks it.
      stream.expectNext("[3][4]\n");
      assertThat(requestsTo("/reliable-next")).hasSize(1);
      assertThat(requestsTo("/reliable-next").get(0).getHeader("Grip-Last")).isEqualTo("r; last-id=1");
      // The fetched page made the stream live again at prev-id 4.
      updating.publisher().publish(Item.builder("r").id("5").prevId("4").httpStream(HttpStreamFormat.send("[5]\n")).build());
      stream.expectNext("[5]\n");
    }
  }

  @Test
  void aStreamWithoutANextLinkIsNotUpdated() throws Exception {
    try (P8Server updating = withUpdates(P8Server.builder()); StreamReader stream = open(updating, "/live")) {
      stream.expect("live\n");
      await("the stream's channel to settle and its update to be dealt with", Duration.ofSeconds(5),
          () -> updating.engine().interestingChannels() == 1 && updating.engine().holdsWaitingForUpdate() == 0);
      updating.publisher().publish(Item.stream("news", "after\n"));
      stream.expectNext("after\n");
      assertThat(requestsTo("/live")).hasSize(1);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theRecoverCommandRefetchesAReliableStreamsNextLinkWithGripLast() throws Exception {
    try (P8Server commanded = withUpdates(P8Server.builder().updateOnFirstSubscription(false)
            .zmqCommand("tcp://127.0.0.1:*"));
        StreamReader stream = open(commanded, "/reliable");
        ZContext zmq = new ZContext()) {
      stream.expect("[1]\n");
      await("subscription", () -> commanded.subscriptions() == 1);
      commanded.publisher().publish(Item.builder("r").id("2").prevId("1").httpStream(HttpStreamFormat.send("[2]\n")).build());
      stream.expectNext("[2]\n");

      ZMQ.Socket req = zmq.createSocket(SocketType.REQ);
      SocketThread.configure(req);
      req.setReceiveTimeOut(10_000);
      req.connect(commanded.zmqCommandEndpoint());
      req.send(Tnetstring.encode(Map.of("id", "1", "method", "recover")));
      Map<String, Object> answer = (Map<String, Object>) Tnetstring.withDefaults().decode(req.recv());
      assertThat(answer.get("success")).isEqualTo(true);

      stream.expectNext("[3][4]\n");
      assertThat(requestsTo("/reliable-next").get(0).getHeader("Grip-Last")).isEqualTo("r; last-id=2");
    }
  }

  @Test
  void aPrevIdWithoutANextLinkEndsTheStream() throws Exception {
    try (StreamReader stream = open("/unlinked")) {
      stream.expect("[1]\n");
      assertThat(stream.expectEnd()).isEqualTo("\n\nchannel 'u' specifies prev-id, but no next link found\n");
    }
    await("the stream to be released", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aStreamClientThatLeavesIsReportedToTheGoneLink() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.getOutputStream().write("GET /gone-stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("the stream to subscribe", () -> p8.subscriptions() == 1);
    }
    await("the POST to the gone link", () -> requestsTo("/left?who=me").size() == 1);
    RecordedRequest gone = requestsTo("/left?who=me").get(0);
    assertThat(gone.getMethod()).isEqualTo("POST");
    assertThat(gone.getBodySize()).isZero();
  }

  @Test
  void aStreamClosedByAPublishIsReportedToTheGoneLinkToo() throws Exception {
    try (StreamReader stream = open("/gone-stream")) {
      stream.expect("[open]\n");
      await("the stream to subscribe", () -> p8.subscriptions() == 1);
      assertThat(requestsTo("/left?who=me")).isEmpty();
      p8.publisher().publish(Item.builder("g").httpStream(HttpStreamFormat.close()).build());
      assertThat(stream.expectEnd()).isEmpty();
    }
    await("the POST to the gone link", () -> requestsTo("/left?who=me").size() == 1);
  }

  @Test
  void aLongPollIsReportedToTheGoneLinkWhenAnsweredAndWhenLeftEarly() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/gone-poll").build());
    java.util.concurrent.CompletableFuture<String> body = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try (Response r = call.execute()) {
        return r.body().string();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await("the long-poll to subscribe", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.response("gp", "answer\n"));
    assertThat(body.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("answer\n");
    // As Pushpin: the session ended, so the backend hears of it, answered or not.
    await("the POST to the gone link after the answer", () -> requestsTo("/left?who=poller").size() == 1);

    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.getOutputStream().write("GET /gone-poll HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("the second long-poll to subscribe", () -> p8.subscriptions() == 1);
    }
    await("the POST to the gone link after leaving", () -> requestsTo("/left?who=poller").size() == 2);
  }
}
