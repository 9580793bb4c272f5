package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client WebSockets served by a WebSocket-over-HTTP backend written with P8's own helpers. */
class WebSocketTest {

  private final MockWebServer backend = new MockWebServer();
  private final BlockingQueue<RecordedRequest> seen = new LinkedBlockingQueue<>();
  /** The bodies of the requests in {@link #seen}, since the dispatcher consumes them. */
  private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final java.util.concurrent.atomic.AtomicInteger flakyFailures = new java.util.concurrent.atomic.AtomicInteger();
  private P8Server p8;

  /** Records every message and the close, so tests wait for them with a deadline. */
  static final class Recorder implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      messages.add("binary:" + new String(b, java.nio.charset.StandardCharsets.UTF_8));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete("error " + error);
    }

    String next() throws InterruptedException {
      String m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 s").isNotNull();
      return m;
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getPath().startsWith("/reject")) {
          seen.add(request);
          return new MockResponse().setResponseCode(403).setHeader("X-Why", "no").setBody("go away\n");
        }
        seen.add(request);
        List<WebSocketEvent> in;
        byte[] body = request.getBody().readByteArray();
        bodies.add(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1));
        try {
          in = WebSocketEvents.parse(body);
        } catch (Exception e) {
          return new MockResponse().setResponseCode(400);
        }
        List<WebSocketEvent> out = new ArrayList<>();
        MockResponse response = new MockResponse().setHeader("Content-Type", WebSocketEvents.CONTENT_TYPE);
        for (WebSocketEvent e : in) {
          switch (e.type()) {
            case OPEN -> {
              out.add(WebSocketEvent.open());
              response.setHeader("Sec-WebSocket-Extensions", "grip");
              if (request.getPath().startsWith("/filtered")) {
                out.add(WebSocketEvent.text(GripControl.subscribe("chat", List.of("skip-self"))));
                out.add(WebSocketEvent.text(GripControl.setMeta("user",
                    request.getRequestUrl().queryParameter("user"))));
              } else {
                out.add(WebSocketEvent.text(GripControl.subscribe("room")));
                response.setHeader("Set-Meta-User", "alice");
              }
            }
            case TEXT -> {
              if (e.text().equals("flaky") && flakyFailures.getAndIncrement() < 2) {
                return new MockResponse().setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.DISCONNECT_AFTER_REQUEST);
              }
              if (e.text().startsWith("partial:") && request.getHeader("Content-Bytes-Replayed") == null) {
                // Take only "partial:" and wait for more.
                return response.setHeader("Content-Bytes-Accepted", "8");
              }
              if (e.text().equals("garbage")) {
                return new MockResponse().setHeader("Content-Type", WebSocketEvents.CONTENT_TYPE).setBody("BOGUS\r\n");
              }
              if (e.text().equals("bye")) {
                out.add(WebSocketEvent.close(4000, "backend says bye"));
              } else {
                out.add(WebSocketEvent.text(GripControl.message("echo: " + e.text())));
                out.add(WebSocketEvent.text("dropped: no prefix"));
              }
            }
            case CLOSE -> out.add(WebSocketEvent.close(e.closeCode(), ""));
            default -> { }
          }
        }
        return response.setBody(new Buffer().write(WebSocketEvents.encode(out)));
      }
    });
    backend.start();
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .route("* 127.0.0.1:" + backend.getPort() + ",over_http")
        .signing("p8", "secret")
        .limits(Limits.builder().maxWebSocketMessageBytes(64 * 1024).build())
        .build()
        .start();
  }

  @AfterEach
  void tearDown() throws IOException {
    p8.close();
    backend.shutdown();
  }

  private WebSocket connect(String path, Recorder recorder) {
    return http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + path), recorder)
        .join();
  }

  @Test
  void skipSelfFiltersASubscribersOwnMessages() throws Exception {
    Recorder alice = new Recorder();
    connect("/filtered?user=alice", alice);
    Recorder bob = new Recorder();
    connect("/filtered?user=bob", bob);
    Awaits.await("both subscribed", () -> p8.subscriptions() == 2);
    p8.publisher().publish(Item.builder("chat").meta("sender", "alice")
        .wsMessage(WsMessageFormat.text("alice: hi")).build());
    p8.publisher().publish(Item.builder("chat").meta("sender", "bob")
        .wsMessage(WsMessageFormat.text("bob: hello")).build());
    assertThat(bob.next()).isEqualTo("alice: hi");
    assertThat(alice.next()).as("alice's own message was filtered out").isEqualTo("bob: hello");
  }

  @Test
  void echoesThroughTheBackendAndReplaysTheHandshakeOnEveryRequest() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat?x=1", r);
    RecordedRequest open = seen.poll(10, TimeUnit.SECONDS);
    assertThat(open.getMethod()).isEqualTo("POST");
    assertThat(open.getPath()).isEqualTo("/chat?x=1");
    assertThat(open.getHeader("Content-Type")).isEqualTo(WebSocketEvents.CONTENT_TYPE);
    assertThat(open.getHeader("Sec-WebSocket-Extensions")).isEqualTo("grip");
    assertThat(open.getHeader("Grip-Sig")).isNotNull();
    String connectionId = open.getHeader("Connection-Id");
    assertThat(connectionId).isNotBlank();

    ws.sendText("hello", true).join();
    assertThat(r.next()).isEqualTo("echo: hello");
    RecordedRequest text = seen.poll(10, TimeUnit.SECONDS);
    assertThat(text.getHeader("Connection-Id")).isEqualTo(connectionId);
    assertThat(text.getHeader("Meta-User")).isEqualTo("alice");
    assertThat(text.getHeader("Upgrade")).isNull();

    ws.sendText("again", true).join();
    assertThat(r.next()).as("unprefixed backend messages are dropped").isEqualTo("echo: again");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    assertThat(r.closed.get(10, TimeUnit.SECONDS)).startsWith("1000");
    await("the session to be released", () -> p8.webSocketConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void publishedMessagesReachEverySubscribedClient() throws Exception {
    List<Recorder> recorders = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Recorder r = new Recorder();
      recorders.add(r);
      sockets.add(connect("/chat", r));
    }
    await("20 subscriptions", () -> p8.subscriptions() == 20);
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("to everyone")).build());
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.binary("bytes".getBytes())).build());
    for (Recorder r : recorders) {
      assertThat(r.next()).isEqualTo("to everyone");
      assertThat(r.next()).isEqualTo("binary:bytes");
    }
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.close(4001, "closing time")).build());
    for (Recorder r : recorders) {
      assertThat(r.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4001 closing time");
    }
    await("every session released", () -> p8.webSocketConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aFailedRequestIsRetriedWithBackoffAndNothingIsLost() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat", r);
    ws.sendText("flaky", true).join();
    ws.sendText("after", true).join();
    assertThat(r.next()).isEqualTo("echo: flaky");
    assertThat(r.next()).isEqualTo("echo: after");
    assertThat(flakyFailures.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void malformedEventsFromTheBackendCloseThatSessionOnly() throws Exception {
    Recorder bad = new Recorder();
    WebSocket ws = connect("/chat", bad);
    Recorder other = new Recorder();
    connect("/chat", other);
    await("two subscriptions", () -> p8.subscriptions() == 2);
    ws.sendText("garbage", true).join();
    assertThat(bad.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1011 backend error");
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("still fine")).build());
    assertThat(other.next()).isEqualTo("still fine");
  }

  @Test
  void invalidUtf8FromAClientClosesItWith1007() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", p8.port())) {
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      java.io.InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("handshake answer").isNotEqualTo(-1);
        head.append((char) b);
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 101");
      // A masked text frame whose payload, C3 28, is not UTF-8.
      byte[] mask = {1, 2, 3, 4};
      byte[] payload = {(byte) 0xC3, 0x28};
      out.write(new byte[] {(byte) 0x81, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
          (byte) (payload[0] ^ mask[0]), (byte) (payload[1] ^ mask[1])});
      out.flush();
      socket.setSoTimeout(10_000);
      int first;
      do {
        first = in.read();
      } while (first != -1 && (first & 0x0F) != 0x8);
      assertThat(first).as("a close frame").isNotEqualTo(-1);
      in.read();
      int code = (in.read() << 8) | in.read();
      assertThat(code).isEqualTo(1007);
    }
  }

  @Test
  void declinedContentIsReplayedWithTheNextEvent() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat", r);
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("OPEN\r\n");
    ws.sendText("partial:rest", true).join();
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("TEXT c\r\npartial:rest\r\n");
    ws.sendText("next", true).join();
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).as("the declined bytes first, then the new message")
        .isEqualTo("TEXT 4\r\nrest\r\nTEXT 4\r\nnext\r\n");
    seen.poll(10, TimeUnit.SECONDS);
    seen.poll(10, TimeUnit.SECONDS);
    assertThat(seen.poll(10, TimeUnit.SECONDS).getHeader("Content-Bytes-Replayed")).isEqualTo("4");
    assertThat(r.next()).isEqualTo("echo: rest");
    assertThat(r.next()).isEqualTo("echo: next");
  }

  @Test
  void aOneEventTargetGetsOneEventPerRequest() throws Exception {
    try (P8Server oneEvent = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort() + ",over_http,one_event").build().start()) {
      Recorder r = new Recorder();
      WebSocket ws = http.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + oneEvent.port() + "/chat"), r).join();
      assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("OPEN\r\n");
      // The JDK client allows one outstanding send at a time.
      ws.sendText("a", true).join();
      ws.sendText("b", true).join();
      ws.sendText("c", true).join();
      assertThat(r.next()).isEqualTo("echo: a");
      assertThat(r.next()).isEqualTo("echo: b");
      assertThat(r.next()).isEqualTo("echo: c");
      assertThat(List.of(bodies.poll(10, TimeUnit.SECONDS), bodies.poll(10, TimeUnit.SECONDS), bodies.poll(10, TimeUnit.SECONDS)))
          .containsExactly("TEXT 1\r\na\r\n", "TEXT 1\r\nb\r\n", "TEXT 1\r\nc\r\n");
    }
  }

  @Test
  void fragmentedMessagesReachTheBackendWhole() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat", r);
    ws.sendText("frag", false).join();
    ws.sendText("mented", true).join();
    assertThat(r.next()).isEqualTo("echo: fragmented");
  }

  @Test
  void aRefreshPublishMakesARequestAtOnce() throws Exception {
    Recorder r = new Recorder();
    connect("/chat", r);
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("OPEN\r\n");
    await("subscription", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.refresh()).build());
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).as("an empty request").isEmpty();
  }

  @Test
  void clientMetaHeadersAreNeverRelayed() throws Exception {
    Recorder r = new Recorder();
    http.newWebSocketBuilder().header("Meta-User", "mallory").header("X-Kept", "1")
        .buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + "/chat"), r).join();
    RecordedRequest open = seen.poll(10, TimeUnit.SECONDS);
    assertThat(open.getHeader("Meta-User")).isNull();
    assertThat(open.getHeader("X-Kept")).isEqualTo("1");
  }

  @Test
  void aClientThatStopsReadingIsClosedAndOthersKeepGettingMessages() throws Exception {
    Recorder healthy = new Recorder();
    connect("/chat", healthy);
    try (java.net.Socket stalled = new java.net.Socket("127.0.0.1", p8.port())) {
      stalled.setReceiveBufferSize(4096);
      stalled.getOutputStream().write(("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      await("both subscribed", () -> p8.subscriptions() == 2);
      String big = "x".repeat(60_000);
      for (int i = 0; i < 200 && p8.subscriptions() == 2; i++) {
        p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text(big)).build());
        assertThat(healthy.next()).hasSize(big.length());
      }
      await("the stalled client to be dropped", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("still here")).build());
      assertThat(healthy.next()).isEqualTo("still here");
      assertThat(p8.engine().slowClientsClosed()).isEqualTo(1);
    }
  }

  @Test
  void theBackendCanCloseTheClient() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat", r);
    ws.sendText("bye", true).join();
    assertThat(r.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4000 backend says bye");
  }

  @Test
  void aRefusalIsRelayedToTheClient() {
    assertThatThrownBy(() -> connect("/reject", new Recorder()))
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> {
          var response = ((WebSocketHandshakeException) e).getResponse();
          assertThat(response.statusCode()).isEqualTo(403);
          assertThat(response.headers().firstValue("X-Why")).contains("no");
        });
  }

  @Test
  void aClientThatVanishesIsReportedAsDisconnect() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = connect("/chat", r);
    seen.poll(10, TimeUnit.SECONDS);
    await("subscription", () -> p8.subscriptions() == 1);
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("OPEN\r\n");
    ws.abort();
    assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("DISCONNECT\r\n");
    await("the session to be released", () -> p8.webSocketConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void anOversizedClientMessageClosesThatConnectionOnly() throws Exception {
    Recorder big = new Recorder();
    WebSocket ws = connect("/chat", big);
    Recorder other = new Recorder();
    connect("/chat", other);
    await("two subscriptions", () -> p8.subscriptions() == 2);
    ws.sendText("x".repeat(100 * 1024), true);
    assertThat(big.closed.get(10, TimeUnit.SECONDS)).startsWith("1009");
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("still fine")).build());
    assertThat(other.next()).isEqualTo("still fine");
  }

  @Test
  void clientsMayNotSendWebSocketEventsThemselves() throws IOException {
    OkHttpClient client = new OkHttpClient();
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/chat")
        .post(RequestBody.create("OPEN\r\n", MediaType.get(WebSocketEvents.CONTENT_TYPE))).build()).execute()) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).isEqualTo("Client not allowed to send WebSocket events directly.\n");
    }
  }
}
