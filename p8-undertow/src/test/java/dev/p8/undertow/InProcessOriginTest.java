package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import dev.p8.route.Target;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes to origin handlers in the same JVM: real P8, real clients, and no backend socket at
 * all (the server is built with no host:port target).
 */
class InProcessOriginTest {

  private static final int BIG = 5 * 1024 * 1024 + 123;

  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final HttpClient http = HttpClient.newHttpClient();
  /** What the origin saw, by path, for the assertions. */
  private final Map<String, HttpServerExchange> seen = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<String> streamEnded = new CompletableFuture<>();
  private P8Server p8;

  /** One origin for every test, dispatching on the path as a small application would. */
  private void origin(HttpServerExchange exchange) throws Exception {
    seen.put(exchange.getRequestPath(), exchange);
    switch (exchange.getRequestPath()) {
      case "/echo" -> {
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Method"), exchange.getRequestMethod().toString());
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Query"), exchange.getQueryString());
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Name"),
            exchange.getQueryParameters().get("name").getFirst());
        exchange.setStatusCode(201);
        exchange.getResponseSender().send("hello from " + exchange.getConnection().getTransportProtocol());
      }
      case "/big" -> {
        // Blocking both ways: read the whole body, then stream a large answer of unknown length.
        exchange.startBlocking();
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long total = 0;
        byte[] buf = new byte[8192];
        try (InputStream in = exchange.getInputStream()) {
          int n;
          while ((n = in.read(buf)) != -1) {
            digest.update(buf, 0, n);
            total += n;
          }
        }
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Received"), total);
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Digest"),
            HexFormat.of().formatHex(digest.digest()));
        try (OutputStream out = exchange.getOutputStream()) {
          out.write(pattern(BIG));
        }
      }
      case "/poll" -> {
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "response");
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Channel"), "news");
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Timeout"), "20");
        exchange.getResponseSender().send("nothing yet\n");
      }
      case "/stream" -> {
        exchange.getResponseHeaders().put(HttpString.tryFromString("Content-Type"), "text/plain");
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "stream");
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Channel"), "ticks");
        exchange.getResponseSender().send("[open]\n");
      }
      case "/ticks" -> {
        // Streams until the client goes away; the write that fails tells the handler so.
        exchange.startBlocking();
        OutputStream out = exchange.getOutputStream();
        try {
          for (int i = 0; ; i++) {
            out.write(("tick " + i + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        } catch (IOException e) {
          streamEnded.complete(e.getMessage());
        }
      }
      case "/silent" -> {
        exchange.startBlocking();
        try {
          // Never answers in time; the proxy gives up and closes the exchange under it.
          release.await(20, TimeUnit.SECONDS);
          exchange.getOutputStream().write("late".getBytes(StandardCharsets.UTF_8));
          exchange.getOutputStream().flush();
          streamEnded.complete("wrote");
        } catch (IOException e) {
          streamEnded.complete(e.getMessage());
        }
      }
      case "/ws" -> webSocketOverHttp(exchange);
      case "/throw" -> throw new IllegalStateException("the origin is broken");
      case "/block" -> {
        // Blocks its worker thread until the test lets it go.
        exchange.startBlocking();
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
        exchange.getOutputStream().write("released".getBytes(StandardCharsets.UTF_8));
      }
      default -> {
        exchange.setStatusCode(404);
        exchange.endExchange();
      }
    }
  }

  private static void webSocketOverHttp(HttpServerExchange exchange) {
    exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
      List<WebSocketEvent> in;
      try {
        in = WebSocketEvents.parse(body);
      } catch (dev.p8.websocket.WebSocketEventsException e) {
        ex.setStatusCode(400);
        ex.endExchange();
        return;
      }
      List<WebSocketEvent> out = new ArrayList<>();
      for (WebSocketEvent e : in) {
        switch (e.type()) {
          case OPEN -> {
            out.add(WebSocketEvent.open());
            out.add(WebSocketEvent.text(GripControl.subscribe("room")));
          }
          case TEXT -> out.add(WebSocketEvent.text(GripControl.message("echo: " + e.text())));
          case CLOSE -> out.add(WebSocketEvent.close(e.closeCode(), ""));
          default -> { }
        }
      }
      ex.getResponseHeaders().put(HttpString.tryFromString("Content-Type"), WebSocketEvents.CONTENT_TYPE);
      ex.getResponseHeaders().put(HttpString.tryFromString("Sec-WebSocket-Extensions"), "grip");
      ex.getResponseSender().send(ByteBuffer.wrap(WebSocketEvents.encode(out)));
    });
  }

  private static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + (i >> 11));
    }
    return b;
  }

  @BeforeEach
  void setUp() {
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .ioThreads(1)
        .signing("p8", "secret")
        .backendTimeout(Duration.ofSeconds(2))
        .route("*", this::origin)
        .build()
        .start();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    p8.close();
  }

  @Test
  void theBuildersPublisherFailsBeforeBuildAndPublishesThroughTheServerAfter() throws Exception {
    P8Server.Builder builder = P8Server.builder();
    dev.p8.publish.Publisher early = builder.publisher();
    assertThatThrownBy(() -> early.publish(Item.stream("b", "x")).toCompletableFuture().join())
        .hasCauseInstanceOf(dev.p8.publish.PublishException.class)
        .hasMessageContaining("not built yet");
    // A handler that publishes with the publisher it was given before the server existed.
    HttpHandler app = exchange -> {
      if (exchange.getRequestPath().equals("/say")) {
        early.publish(Item.stream("b", "said\n"));
        exchange.getResponseSender().send("ok\n");
      } else {
        exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "stream")
            .put(HttpString.tryFromString("Grip-Channel"), "b");
        exchange.getResponseSender().send("[open]\n");
      }
    };
    try (P8Server server = builder.listen("127.0.0.1", 0).noControlListener().route("*", app).build().start()) {
      assertThat(builder.publisher()).isSameAs(early);
      Call stream = client.newCall(new Request.Builder().url(server.url() + "/stream").build());
      try (StreamReader reader = new StreamReader(stream, stream.execute())) {
        reader.expect("[open]\n");
        await("held", () -> server.subscriptions() == 1);
        try (Response said = client.newCall(new Request.Builder().url(server.url() + "/say").build()).execute()) {
          assertThat(said.body().string()).isEqualTo("ok\n");
        }
        reader.expectNext("said\n");
      }
    }
  }

  @Test
  void noRouteHasABackendSocket() {
    assertThat(p8.routes()).hasSize(1);
    Target target = p8.routes().get(0).targets().get(0);
    assertThat(target.isInProcess()).isTrue();
    assertThat(target.port()).isZero();
    assertThat(target.overHttp()).isTrue();
  }

  @Test
  void passesARequestThroughAsABackendWouldSeeIt() throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/echo?name=a%20b&x=1")
        .header("X-Client", "c").build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
      assertThat(r.body().string()).isEqualTo("hello from in-process");
      assertThat(r.header("X-Method")).isEqualTo("GET");
      assertThat(r.header("X-Query")).isEqualTo("name=a%20b&x=1");
      assertThat(r.header("X-Name")).isEqualTo("a b");
    }
    HttpServerExchange exchange = seen.get("/echo");
    assertThat(exchange.getRequestHeaders().getFirst("X-Client")).isEqualTo("c");
    assertThat(exchange.getRequestHeaders().getFirst("Grip-Sig")).as("P8 signs as for a backend").isNotEmpty();
    assertThat(exchange.getRequestHeaders().getFirst("Host")).isEqualTo("127.0.0.1:" + p8.port());
    assertThat(exchange.isInIoThread()).isFalse();
  }

  @Test
  void answersHeadWithoutABody() throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/echo?name=n").head().build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
      assertThat(r.header("X-Method")).isEqualTo("HEAD");
      assertThat(r.header("Content-Length")).isEqualTo(String.valueOf("hello from in-process".length()));
      assertThat(r.body().bytes()).isEmpty();
    }
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/echo?name=n").build()).execute()) {
      assertThat(r.body().string()).as("the connection is still in step").isEqualTo("hello from in-process");
    }
  }

  @Test
  void streamsLargeBodiesBothWays() throws Exception {
    byte[] upload = pattern(BIG);
    RequestBody body = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        // Unknown length: the request body is chunked all the way to the origin.
        for (int i = 0; i < upload.length; i += 10_000) {
          sink.write(upload, i, Math.min(10_000, upload.length - i));
        }
      }
    };
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/big").post(body).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("X-Received")).isEqualTo(String.valueOf(BIG));
      assertThat(r.header("X-Digest")).isEqualTo(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)));
      assertThat(r.body().bytes()).isEqualTo(pattern(BIG));
    }
  }

  @Test
  void holdsAResponseUntilAPublish() throws Exception {
    CompletableFuture<String> poll = CompletableFuture.supplyAsync(() -> {
      try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/poll").build()).execute()) {
        return r.code() + " " + r.body().string();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("the poll to subscribe", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.builder("news").httpResponse(HttpResponseFormat.of(200, "fresh\n")).build());
    assertThat(poll.get(10, TimeUnit.SECONDS)).isEqualTo("200 fresh\n");
    await("the hold to be released", () -> p8.heldConnections() == 0);
  }

  @Test
  void holdsAStreamAndPushesPublishes() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/stream").build());
    try (StreamReader stream = new StreamReader(call, call.execute())) {
      stream.expect("[open]\n");
      await("the stream to subscribe", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.builder("ticks").httpStream(HttpStreamFormat.send("tick 1\n")).build());
      stream.expect("tick 1\n");
      p8.publisher().publish(Item.builder("ticks").httpStream(HttpStreamFormat.send("tick 2\n")).build());
      stream.expect("tick 2\n");
    }
    await("the stream to be released", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void servesWebSocketOverHttp() throws Exception {
    WebSocketTest.Recorder recorder = new WebSocketTest.Recorder();
    WebSocket ws = http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + "/ws"), recorder).join();
    ws.sendText("hi", true).join();
    assertThat(recorder.next()).isEqualTo("echo: hi");
    await("the socket to subscribe", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("to the room")).build());
    assertThat(recorder.next()).isEqualTo("to the room");
    ws.sendClose(1000, "done").join();
    assertThat(recorder.closed.get(10, TimeUnit.SECONDS)).startsWith("1000");
    await("the socket to be released", () -> p8.webSocketConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void aHandlerThatThrowsGetsPushpinsOriginError() throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/throw").build()).execute()) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Error while proxying to origin.\n");
    }
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/echo?name=n").build()).execute()) {
      assertThat(r.code()).as("the next request is served as usual").isEqualTo(201);
    }
  }

  @Test
  void aStreamingHandlerLearnsThatTheClientLeft() throws Exception {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/ticks").build());
    try (StreamReader stream = new StreamReader(call, call.execute())) {
      stream.expect("tick 100\n");
    }
    assertThat(streamEnded.get(10, TimeUnit.SECONDS)).isNotEmpty();
  }

  @Test
  void aHandlerPastTheBackendTimeoutGets502AndABrokenExchange() throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/silent").build()).execute()) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Error while proxying to origin.\n");
    }
    release.countDown();
    assertThat(streamEnded.get(10, TimeUnit.SECONDS)).contains("closed");
  }

  @Test
  void aBlockingHandlerStallsNoIoThread() throws Exception {
    // One I/O thread only: if the blocked handler held it, the second request could not pass.
    Call blocked = client.newCall(new Request.Builder().url(p8.url() + "/block").build());
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try (Response r = blocked.execute()) {
        return r.body().string();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("the blocking handler to start", () -> seen.containsKey("/block"));
    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/echo?name=n").build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
    }
    assertThat(first).isNotDone();
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("released");
  }

  @Test
  void aNamedOriginServesARoutesLine() throws IOException {
    HttpHandler api = exchange -> exchange.getResponseSender().send("api saw " + exchange.getRequestPath());
    try (P8Server named = P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .origin("api", api)
        .route("*,path_beg=/api,replace_beg=/v2 in-process:api")
        .build()
        .start();
        Response r = client.newCall(new Request.Builder().url(named.url() + "/api/items").build()).execute()) {
      assertThat(r.body().string()).isEqualTo("api saw /v2/items");
    }
  }

  @Test
  void aWebSocketToAnOriginWithoutOverHttpIsRefused() {
    HttpHandler plain = exchange -> exchange.getResponseSender().send("no");
    try (P8Server named = P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .origin("plain", plain)
        .route("* in-process:plain")
        .build()
        .start()) {
      assertThatThrownBy(() -> http.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + named.port() + "/"), new WebSocketTest.Recorder()).join())
          .hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class)
          .hasRootCauseMessage("Unexpected HTTP response status code 502");
    }
  }

  @Test
  void aRouteToAnUnregisteredOriginFailsTheBuild() {
    assertThatThrownBy(() -> P8Server.builder().route("* in-process:missing").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("route '* in-process:missing' targets in-process origin missing, but no origin is"
            + " registered under that name; call origin(\"missing\", handler)");
    assertThatThrownBy(() -> P8Server.builder().origin("a", ex -> { }).origin("a", ex -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("origin a is already registered");
    assertThatThrownBy(() -> P8Server.builder().route("* x", ex -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be one routes-file token");
  }
}
