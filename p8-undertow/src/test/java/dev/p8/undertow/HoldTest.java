package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Long-polls and streams end to end: real P8, a real backend, real clients. */
class HoldTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private P8Server p8;

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        String channel = request.getRequestUrl().queryParameter("channel");
        if (channel == null) {
          channel = "test";
        }
        if (path.startsWith("/stream")) {
          return new MockResponse().setHeader("Content-Type", "text/plain")
              .setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", channel)
              .setBody("[open]\n");
        }
        if (path.startsWith("/filtered")) {
          return new MockResponse().setHeader("Content-Type", "text/plain")
              .setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "chat; filter=skip-self")
              .setHeader("Grip-Set-Meta", "user=" + request.getRequestUrl().queryParameter("user"))
              .setBody("[open]\n");
        }
        if (path.startsWith("/sse")) {
          return new MockResponse().setHeader("Content-Type", "text/event-stream")
              .setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", channel)
              .setHeader("Grip-Keep-Alive", ":keep-alive\\n\\n; format=cstring; timeout=1");
        }
        if (path.startsWith("/jsonpoll")) {
          return new MockResponse().setHeader("Content-Type", "application/json")
              .setHeader("Grip-Hold", "response").setHeader("Grip-Channel", channel)
              .setBody("{\"messages\":[],\"cursor\":0}\n");
        }
        if (path.startsWith("/poll")) {
          return new MockResponse().setResponseCode(202).setHeader("Content-Type", "text/plain")
              .setHeader("X-Kept", "kept").setHeader("Grip-Hold", "response")
              .setHeader("Grip-Channel", channel + ", other").setHeader("Grip-Timeout", "5")
              .setBody("nothing yet\n");
        }
        return new MockResponse().setResponseCode(404);
      }
    });
    backend.start();
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .controlListener("127.0.0.1", 0)
        .route("* 127.0.0.1:" + backend.getPort())
        .limits(Limits.builder().maxStreamBufferBytes(256 * 1024).build())
        .build()
        .start();
  }

  @AfterEach
  void tearDown() throws IOException {
    p8.close();
    backend.shutdown();
  }

  private Response publishJson(String json) throws IOException {
    return client.newCall(new Request.Builder().url(p8.controlUrl() + "/publish")
        .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute();
  }

  private StreamReader openStream(String path) throws IOException {
    okhttp3.Call call = client.newCall(new Request.Builder().url(p8.url() + path).build());
    Response r = call.execute();
    assertThat(r.code()).isEqualTo(200);
    return new StreamReader(call, r);
  }

  @Test
  void pushpinsOwnExampleWorksAsItsReadmeTellsIt() throws Exception {
    try (StreamReader stream = openStream("/stream")) {
      stream.expect("[open]\n");
      await("the stream to subscribe", () -> p8.subscriptions() == 1);

      // The exact command from Pushpin's README.
      try (Response r = publishJson("{ \"items\": [ { \"channel\": \"test\", \"http-stream\": { \"content\": \"hello there\\n\" } } ] }")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo("Published\n");
      }
      stream.expect("hello there\n");
    }
  }

  @Test
  void longPollsReuseBackendConnections() throws Exception {
    int polls = 40;
    for (int i = 0; i < polls; i++) {
      Call call = client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=reuse").build());
      CompletableFuture<String> body = new CompletableFuture<>();
      call.enqueue(new okhttp3.Callback() {
        @Override
        public void onFailure(Call c, IOException e) {
          body.completeExceptionally(e);
        }

        @Override
        public void onResponse(Call c, Response r) throws IOException {
          body.complete(r.body().string());
        }
      });
      await("poll " + i + " to be held", () -> p8.subscriptions() == 2);
      p8.publisher().publish(Item.builder("reuse").httpResponse(HttpResponseFormat.of(200, "got " + i)).build());
      assertThat(body.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("got " + i);
      await("poll " + i + " to be released", () -> p8.subscriptions() == 0);
    }
    int newConnections = 0;
    for (int i = 0; i < polls; i++) {
      if (backend.takeRequest().getSequenceNumber() == 0) {
        newConnections++;
      }
    }
    assertThat(newConnections).as("backend connections opened for %d polls", polls).isLessThanOrEqualTo(2);
  }

  @Test
  void streamGetsItemsInPublishOrderAndEndsOnClose() throws Exception {
    okhttp3.Call call = client.newCall(new Request.Builder().url(p8.url() + "/stream?channel=s").build());
    Response r = call.execute();
    assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(r.header("Grip-Hold")).isNull();
    assertThat(r.header("Content-Length")).isNull();
    try (StreamReader stream = new StreamReader(call, r)) {
      stream.expect("[open]\n");
      await("subscription", () -> p8.subscriptions() == 1);
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        p8.publisher().publish(Item.stream("s", "line " + i + "\n"));
        expected.append("line ").append(i).append('\n');
      }
      stream.expect(expected.toString());
      p8.publisher().publish(Item.builder("s").httpStream(HttpStreamFormat.close()).build());
      assertThat(stream.expectEnd()).isEmpty();
    }
    await("the stream to be released", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void itemsWaitForTheirPredecessorAndDuplicatesAreDropped() throws Exception {
    try (StreamReader stream = openStream("/stream?channel=seq")) {
      stream.expect("[open]\n");
      await("subscription", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("seq").id("1").httpStream(HttpStreamFormat.send("one\n")).build());
      stream.expect("one\n");
      p8.publisher().publish(Item.builder("seq").id("3").prevId("2").httpStream(HttpStreamFormat.send("three\n")).build());
      p8.publisher().publish(Item.builder("seq").id("2").prevId("1").httpStream(HttpStreamFormat.send("two\n")).build());
      p8.publisher().publish(Item.builder("seq").id("2").prevId("1").httpStream(HttpStreamFormat.send("again\n")).build());
      p8.publisher().publish(Item.builder("seq").id("4").prevId("3").httpStream(HttpStreamFormat.send("four\n")).build());
      stream.expect("two\nthree\nfour\n");
    }
  }

  @Test
  void skipSelfKeepsAUsersOwnMessagesFromThem() throws Exception {
    try (StreamReader alice = openStream("/filtered?user=alice");
        StreamReader bob = openStream("/filtered?user=bob")) {
      alice.expect("[open]\n");
      bob.expect("[open]\n");
      await("both subscribed", () -> p8.subscriptions() == 2);
      p8.publisher().publish(Item.builder("chat").meta("sender", "alice")
          .httpStream(HttpStreamFormat.send("alice: hi\n")).build());
      p8.publisher().publish(Item.builder("chat").meta("sender", "bob")
          .httpStream(HttpStreamFormat.send("bob: hello\n")).build());
      bob.expectNext("alice: hi\n");
      alice.expectNext("bob: hello\n");
    }
  }

  @Test
  void theJsonAnswerOfAPublishSaysHowManyConnectionsEachItemReached() throws Exception {
    try (StreamReader one = openStream("/stream?channel=r"); StreamReader two = openStream("/stream?channel=r")) {
      one.expect("[open]\n");
      two.expect("[open]\n");
      await("both subscribed", () -> p8.subscriptions() == 2);
      String items = "{\"items\":["
          + "{\"channel\":\"r\",\"id\":\"1\",\"formats\":{\"http-stream\":{\"content\":\"a\"}}},"
          + "{\"channel\":\"r\",\"id\":\"3\",\"prev-id\":\"2\",\"formats\":{\"http-stream\":{\"content\":\"c\"}}},"
          + "{\"channel\":\"nobody\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}}]}";
      try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/publish")
          .header("Accept", "application/json")
          .post(RequestBody.create(items, MediaType.get("application/json"))).build()).execute()) {
        assertThat(r.body().string()).isEqualTo("{\"message\":\"Published\",\"items\":["
            + "{\"channel\":\"r\",\"reached\":2},{\"channel\":\"r\",\"waiting\":true},"
            + "{\"channel\":\"nobody\",\"reached\":0}]}\n");
      }
      try (Response r = publishJson("{\"items\":[{\"channel\":\"r\",\"formats\":{\"http-stream\":{\"content\":\"b\"}}}]}")) {
        assertThat(r.body().string()).as("the plain-text answer stays as Pushpin's").isEqualTo("Published\n");
      }
    }
  }

  @Test
  void serverSentEventsGetKeepAlives() throws Exception {
    try (StreamReader stream = openStream("/sse?channel=e")) {
      await("subscription", () -> p8.subscriptions() == 1);
      stream.expect(":keep-alive\n\n");
      p8.publisher().publish(Item.stream("e", "data: hi\n\n"));
      stream.expect("data: hi\n\n");
    }
  }

  @Test
  void longPollIsAnsweredByAPublishWithInheritedHeaders() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=lp").build());
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return call.execute();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("the long-poll to subscribe to both channels", () -> p8.subscriptions() == 2);
    assertThat(answer).isNotDone();

    try (Response r = publishJson("{\"items\":[{\"channel\":\"lp\",\"formats\":{\"http-response\":"
        + "{\"code\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"n\\\":1}\"}}}]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = answer.get()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.header("X-Kept")).isEqualTo("kept");
      assertThat(r.header("Grip-Hold")).isNull();
      assertThat(r.body().string()).isEqualTo("{\"n\":1}");
    }
    await("the hold to be released", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aPublishedBodyPatchIsAppliedToTheHeldBody() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/jsonpoll?channel=patch").build());
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return call.execute();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("the long-poll to subscribe", () -> p8.subscriptions() == 1);

    try (Response r = publishJson("{\"items\":[{\"channel\":\"patch\",\"formats\":{\"http-response\":"
        + "{\"body-patch\":[{\"op\":\"add\",\"path\":\"/messages/-\",\"value\":\"hi\"},"
        + "{\"op\":\"replace\",\"path\":\"/cursor\",\"value\":1}]}}}]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = answer.get()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.body().string()).isEqualTo("{\"messages\":[\"hi\"],\"cursor\":1}\n");
    }
  }

  @Test
  void contentFiltersPickTheSubscribersAnItemIsFor() throws Exception {
    try (StreamReader stream = openStream("/stream?channel=cf")) {
      stream.expect("[open]\n");
      await("the stream to subscribe", () -> p8.subscriptions() == 1);
      try (Response r = publishJson("{\"items\":["
          + "{\"channel\":\"cf\",\"formats\":{\"http-stream\":{\"content\":\"for var-subst\\n\","
          + "\"content-filters\":[\"var-subst\"]}}},"
          + "{\"channel\":\"cf\",\"formats\":{\"http-stream\":{\"content\":\"for plain\\n\","
          + "\"content-filters\":[]}}}]}")) {
        assertThat(r.code()).isEqualTo(200);
      }
      stream.expectNext("for plain\n");
    }
  }

  @Test
  void aClientThatHangsUpIsReleasedAtOnce() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.getOutputStream().write("GET /poll?channel=gone HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("the long-poll to subscribe", () -> p8.subscriptions() == 2);
    }
    await("the hold to be released after the hang-up", Duration.ofSeconds(3),
        () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.getOutputStream().write("GET /stream?channel=gone2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("the stream to subscribe", () -> p8.subscriptions() == 1);
    }
    await("the stream to be released after the hang-up", Duration.ofSeconds(3),
        () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void hundredsOfClientsHangingUpAtOnceAreReleasedAndTheirSocketsClosed() throws Exception {
    // The sockets of hang-ups are closed in batches (HangUps); none may be left open.
    int n = 300;
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Socket s = new Socket("127.0.0.1", p8.port());
        sockets.add(s);
        s.getOutputStream().write(("GET /stream?channel=many" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
      }
      await("every stream to subscribe", () -> p8.subscriptions() == n);
      for (Socket s : sockets) {
        // End of stream toward P8, as a client that closes; its own side stays readable.
        s.shutdownOutput();
      }
      await("every stream released", Duration.ofSeconds(10),
          () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
      byte[] buffer = new byte[4096];
      for (Socket s : sockets) {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        // Whatever the stream sent, then the end: P8 closed its socket.
        while (in.read(buffer) != -1) {
          // drained
        }
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void aKeepAliveConnectionCarriesOneLongPollAfterAnother() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      StreamReader in = new StreamReader(socket.getInputStream());
      for (int i = 0; i < 3; i++) {
        out.write(("GET /poll?channel=seq HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await("long-poll " + i + " to subscribe", () -> p8.subscriptions() == 2);
        p8.publisher().publish(Item.response("seq", "answer " + i + "\n"));
        in.expect("answer " + i + "\n");
        await("long-poll " + i + " to be released", () -> p8.subscriptions() == 0);
      }
    }
  }

  @Test
  void aPipelinedRequestBehindAHeldOneIsServedAfterIt() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      StreamReader in = new StreamReader(socket.getInputStream());
      out.write(("GET /poll?channel=pipe HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /poll?channel=pipe2 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await("the first long-poll to subscribe", () -> p8.subscriptions() == 2);
      p8.publisher().publish(Item.response("pipe", "first\n"));
      in.expect("first\n");
      await("the pipelined long-poll to subscribe", () -> p8.subscriptions() == 2 && p8.heldConnections() == 1);
      p8.publisher().publish(Item.response("pipe2", "second\n"));
      in.expect("second\n");
    }
  }

  @Test
  void longPollTimesOutWithTheBackendsResponse() throws Exception {
    long start = System.nanoTime();
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=quiet").build()).execute()) {
      assertThat(r.code()).isEqualTo(202);
      assertThat(r.header("X-Kept")).isEqualTo("kept");
      assertThat(r.body().string()).isEqualTo("nothing yet\n");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(p8.subscriptions()).isZero();
  }

  @Test
  void oneMessageFansOutToEveryStream() throws Exception {
    List<StreamReader> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        StreamReader s = openStream("/stream?channel=fan");
        s.expect("[open]\n");
        streams.add(s);
      }
      await("50 subscriptions", () -> p8.subscriptions() == 50);
      p8.publisher().publish(Item.stream("fan", "to all\n"));
      for (StreamReader s : streams) {
        s.expect("to all\n");
      }
    } finally {
      streams.forEach(StreamReader::close);
    }
  }

  @Test
  void aBurstOfItemsArrivesWholeAndInOrder() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.setSoTimeout(10_000); // the deadline for every read below
      socket.getOutputStream().write("GET /stream?channel=burst HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      String line;
      while (!(line = asciiLine(in)).isEmpty()) {
        if (line.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
          assertThat(line.substring(18).trim()).isEqualToIgnoringCase("chunked");
        }
      }
      assertThat(new String(chunk(in), StandardCharsets.US_ASCII)).isEqualTo("[open]\n");
      await("subscription", () -> p8.subscriptions() == 1);

      // One publish of many items: their deliveries queue on the stream's I/O thread together.
      int items = 300;
      StringBuilder json = new StringBuilder("{\"items\":[");
      StringBuilder want = new StringBuilder();
      for (int i = 0; i < items; i++) {
        json.append(i == 0 ? "" : ",").append("{\"channel\":\"burst\",\"formats\":{\"http-stream\":{\"content\":\"item ")
            .append(i).append("\\n\"}}}");
        want.append("item ").append(i).append('\n');
      }
      try (Response r = publishJson(json.append("]}").toString())) {
        assertThat(r.code()).isEqualTo(200);
      }
      StringBuilder got = new StringBuilder();
      while (got.length() < want.length()) {
        got.append(new String(chunk(in), StandardCharsets.US_ASCII));
      }
      assertThat(got.toString()).isEqualTo(want.toString());

      p8.publisher().publish(Item.builder("burst").httpStream(HttpStreamFormat.close()).build());
      assertThat(chunk(in)).isEmpty();
    }
  }

  /** Reads one HTTP/1.1 chunk and its CRLF; the last chunk reads as empty. */
  private static byte[] chunk(java.io.DataInputStream in) throws IOException {
    int size = Integer.parseInt(asciiLine(in).trim(), 16);
    byte[] data = new byte[size];
    in.readFully(data);
    assertThat(asciiLine(in)).isEmpty();
    return data;
  }

  private static String asciiLine(java.io.DataInputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c == -1) {
        throw new java.io.EOFException("stream ended mid-line after: " + b);
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Test
  void http10ClientsGetACloseDelimitedStream() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /stream?channel=old HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StreamReader stream = new StreamReader(socket.getInputStream());
      stream.expect("HTTP/1.0 200");
      stream.expect("\r\n\r\n[open]\n");
      await("subscription", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.stream("old", "hello 1.0\n"));
      stream.expect("hello 1.0\n");
      p8.publisher().publish(Item.builder("old").httpStream(HttpStreamFormat.close()).build());
      assertThat(stream.expectEnd()).isEmpty();
    }
  }

  @Test
  void aClientThatStopsReadingIsCutOffAndNobodyElseNotices() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    String big = new String(chunk, StandardCharsets.US_ASCII);
    try (Socket stalled = new Socket("127.0.0.1", p8.port());
        StreamReader healthy = openStream("/stream?channel=flood")) {
      stalled.setReceiveBufferSize(4096);
      stalled.getOutputStream().write("GET /stream?channel=flood HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("both subscribed", () -> p8.subscriptions() == 2);
      InputStream never = stalled.getInputStream();
      assertThat(never).isNotNull();
      // Enough to overflow socket buffers and the 256 KiB bound several times.
      for (int i = 0; i < 200 && p8.subscriptions() == 2; i++) {
        p8.publisher().publish(Item.stream("flood", big));
        healthy.expect(big);
      }
      await("the stalled client to be dropped", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.stream("flood", "still here\n"));
      healthy.expect("still here\n");
      assertThat(p8.engine().slowClientsClosed()).isEqualTo(1);
    }
  }

  @Test
  void controlApiAnswersLikePushpin() throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/publish/").build()).execute()) {
      assertThat(r.code()).isEqualTo(405);
      assertThat(r.header("Allow")).isEqualTo("POST");
      assertThat(r.body().string()).isEqualTo("Method not allowed: GET.\n");
    }
    try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/nothing").build()).execute()) {
      assertThat(r.code()).isEqualTo(404);
    }
    try (Response r = publishJson("{not json")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).isEqualTo("Body is not valid JSON.\n");
    }
    try (Response r = publishJson("{\"items\": [{\"channel\": \"c\"}]}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).startsWith("Invalid format: ").contains("0");
    }
    try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/publish")
        .header("Accept", "application/json")
        .post(RequestBody.create("{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}}]}",
            MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(r.body().string()).isEqualTo("{\"message\":\"Published\",\"items\":[{\"channel\":\"c\",\"reached\":0}]}\n");
    }
    byte[] tooBig = new byte[Limits.DEFAULT_MAX_PUBLISH_BODY_BYTES + 1];
    java.util.Arrays.fill(tooBig, (byte) ' ');
    try (Response r = client.newCall(new Request.Builder().url(p8.controlUrl() + "/publish")
        .post(RequestBody.create(tooBig, MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).isEqualTo("Request body too large.\n");
    }
  }

  @Test
  void publishWithExpectContinueIsAnsweredWithoutTheClientWaiting() throws Exception {
    String body = "{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-stream\":{\"content\":\"" + "x".repeat(2000) + "\"}}}]}";
    try (Socket socket = new Socket("127.0.0.1", p8.controlPort())) {
      OutputStream out = socket.getOutputStream();
      StreamReader in = new StreamReader(socket.getInputStream());
      out.write(("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.expect("HTTP/1.1 100 Continue\r\n\r\n");
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.expect("HTTP/1.1 200 OK");
      in.expect("Published\n");
    }
  }

  @Test
  void aPublishedResponseCanReplaceTheStatusAndReason() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=st").build());
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return call.execute();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("subscription", () -> p8.subscriptions() == 2);
    p8.publisher().publish(Item.builder("st")
        .httpResponse(HttpResponseFormat.builder().code(409).reason("Conflicted").body("no\n").build()).build());
    try (Response r = answer.get()) {
      assertThat(r.code()).isEqualTo(409);
      assertThat(r.message()).isEqualTo("Conflicted");
      assertThat(r.body().string()).isEqualTo("no\n");
    }
  }

  @Test
  void aHeldRequestWithABodyIsReleasedWhenItsClientHangsUp() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      String body = "x".repeat(5000);
      out.write(("POST /jsonpoll?channel=posted HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await("held", () -> p8.heldConnections() == 1 && p8.subscriptions() == 1);
    }
    await("released after the hang-up", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aHeldChunkedRequestIsReleasedWhenItsClientHangsUp() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /jsonpoll?channel=posted HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await("held", () -> p8.heldConnections() == 1 && p8.subscriptions() == 1);
    }
    await("released after the hang-up", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aHeldPostAnsweredByAPublishLeavesItsConnectionReadyForTheNextRequest() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      OutputStream out = socket.getOutputStream();
      StreamReader in = new StreamReader(socket.getInputStream());
      out.write(("POST /jsonpoll?channel=again HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await("held", () -> p8.heldConnections() == 1);
      p8.publisher().publish(Item.response("again", "first\n"));
      in.expect("first\n");
      out.write("GET /jsonpoll?channel=again2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await("held again on the same connection", () -> p8.heldConnections() == 1 && p8.subscriptions() == 1);
      p8.publisher().publish(Item.response("again2", "second\n"));
      in.expect("second\n");
    }
  }
}
