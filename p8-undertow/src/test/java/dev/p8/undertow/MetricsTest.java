package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Item;
import dev.p8.undertow.P8Listener.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/** Event listeners and the Prometheus endpoint, against real clients, backend and sockets. */
class MetricsTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private final List<P8Server> servers = new ArrayList<>();

  /** Records every event as one line, such as {@code opened 3 long-poll r1}. */
  static final class Recorder implements P8Listener {
    final Queue<String> events = new ConcurrentLinkedQueue<>();

    @Override
    public void requestReceived(String route) {
      events.add("request " + route);
    }

    @Override
    public void requestCompleted(String route, int status) {
      events.add("completed " + route + " " + status);
    }

    @Override
    public void connectionOpened(String id, Transport transport, String route) {
      events.add("opened " + id + " " + transport.label() + " " + route);
    }

    @Override
    public void connectionClosed(String id, Transport transport, String route) {
      events.add("closed " + id + " " + transport.label() + " " + route);
    }

    @Override
    public void messageReceived(Item item, int receivers) {
      events.add("received " + item.channel() + " " + receivers);
    }

    @Override
    public void messageDelivered(Item item, Transport transport, long latencyNanos) {
      events.add("delivered " + item.channel() + " " + transport.label() + (latencyNanos >= 0 ? "" : " negative"));
    }

    @Override
    public void messageDropped(DropReason reason, String channel) {
      events.add("dropped " + reason.label() + " " + channel);
    }

    @Override
    public void subscriptionAdded(String channel, Transport transport) {
      events.add("subscribed " + channel + " " + transport.label());
    }

    @Override
    public void subscriptionRemoved(String channel, Transport transport) {
      events.add("unsubscribed " + channel + " " + transport.label());
    }
  }

  /** Throws from everything, to show that a broken listener harms nobody. */
  static final class Thrower implements P8Listener {
    @Override
    public void requestReceived(String route) {
      throw new IllegalStateException("boom");
    }

    @Override
    public void connectionOpened(String id, Transport transport, String route) {
      throw new IllegalStateException("boom");
    }

    @Override
    public void messageDelivered(Item item, Transport transport, long latencyNanos) {
      throw new IllegalStateException("boom");
    }

    @Override
    public void subscriptionAdded(String channel, Transport transport) {
      throw new IllegalStateException("boom");
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String channel = request.getRequestUrl().queryParameter("channel");
        return switch (request.getRequestUrl().encodedPath()) {
          case "/stream" -> new MockResponse().setHeader("Grip-Hold", "stream")
              .setHeader("Grip-Channel", channel).setBody("[open]\n");
          case "/poll" -> new MockResponse().setHeader("Grip-Hold", "response")
              .setHeader("Grip-Channel", channel).setBody("timeout\n");
          default -> new MockResponse().setBody("plain\n");
        };
      }
    });
    backend.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    servers.forEach(P8Server::close);
    backend.shutdown();
  }

  private P8Server start(P8Server.Builder b) {
    P8Server p8 = b.listen("127.0.0.1", 0).noControlListener()
        .route("*,id=r1 127.0.0.1:" + backend.getPort()).build().start();
    servers.add(p8);
    return p8;
  }

  private String get(String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.body().string();
    }
  }

  private String scrape(P8Server p8) throws IOException {
    try (Response r = client.newCall(new Request.Builder()
        .url("http://127.0.0.1:" + p8.prometheusPort() + "/any/path").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/plain; version=0.0.4");
      return r.body().string();
    }
  }

  /** The value of one sample line, such as {@code pp_message_sent} or a labelled one. */
  private static double sample(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as("series %s in:%n%s", series, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private double scrapeSample(P8Server p8, String series) {
    try {
      return sample(scrape(p8), series);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void prometheusCountersMoveWithRealTraffic() throws Exception {
    P8Server p8 = start(P8Server.builder().prometheusListener("127.0.0.1", 0).prometheusPrefix("pp_"));
    String before = scrape(p8);
    assertThat(sample(before, "pp_request_received")).isZero();
    assertThat(sample(before, "pp_connection_connected")).isZero();

    assertThat(get(p8.url() + "/plain")).isEqualTo("plain\n");
    // Undertow ends the exchange just after the client has the last byte.
    await("the plain request completed", () -> scrapeSample(p8, "pp_request_completed{status=\"2xx\"}") == 1);
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/stream?channel=news").build());
    try (StreamReader stream = new StreamReader(call, call.execute())) {
      stream.expect("[open]\n");
      await("subscribed", () -> p8.subscriptions() == 1);
      p8.publisher().publish(Item.stream("news", "hello\n"));
      stream.expect("hello\n");
      p8.publisher().publish(Item.stream("nobody-listens", "lost\n"));
      await("the second publish counted", () -> scrapeSample(p8, "pp_message_received") == 2);

      String text = scrape(p8);
      assertThat(sample(text, "pp_request_received")).isEqualTo(2);
      assertThat(sample(text, "pp_connection_connected")).isEqualTo(1);
      assertThat(sample(text, "pp_connection_open{transport=\"http-stream\"}")).isEqualTo(1);
      assertThat(sample(text, "pp_connection_open{transport=\"http\"}")).isZero();
      assertThat(sample(text, "pp_subscription_open{transport=\"http-stream\"}")).isEqualTo(1);
      assertThat(sample(text, "pp_message_sent")).isEqualTo(1);
      assertThat(sample(text, "pp_message_delivered{transport=\"http-stream\"}")).isEqualTo(1);
      assertThat(sample(text, "pp_message_dropped{reason=\"no-subscribers\"}")).isEqualTo(1);
      assertThat(sample(text, "pp_delivery_latency_seconds_count")).isEqualTo(1);
      assertThat(sample(text, "pp_delivery_latency_seconds_bucket{le=\"+Inf\"}")).isEqualTo(1);
      assertThat(text).contains("# TYPE pp_connection_minute counter\n", "# TYPE pp_connection_connected gauge\n",
          "# TYPE pp_delivery_latency_seconds histogram\n");
      assertThat(text.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")))
          .as("every sample carries the prefix").allMatch(l -> l.startsWith("pp_"));
    }
    await("the stream's close is counted", () -> scrapeSample(p8, "pp_connection_connected") == 0
        && scrapeSample(p8, "pp_subscription_open{transport=\"http-stream\"}") == 0);
  }

  @Test
  void aListenerSeesALongPollInOrder() throws Exception {
    Recorder recorder = new Recorder();
    P8Server p8 = start(P8Server.builder().listener(new Thrower()).listener(recorder));
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=c").build());
    java.util.concurrent.CompletableFuture<String> body = new java.util.concurrent.CompletableFuture<>();
    call.enqueue(new okhttp3.Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        body.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call c, Response r) throws IOException {
        try (r) {
          body.complete(r.body().string());
        }
      }
    });
    await("subscribed", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.response("c", "answer\n"));
    assertThat(body.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("answer\n");
    await("the request completed", () -> recorder.events.stream().anyMatch(e -> e.startsWith("completed")));

    List<String> events = new ArrayList<>(recorder.events);
    // The publishing thread reports the publish while the I/O thread delivers: either may be first.
    assertThat(events.remove("received c 1")).as("the publish is reported").isTrue();
    String id = events.get(1).split(" ")[1];
    assertThat(events).containsExactly(
        "request r1",
        "opened " + id + " http r1",
        "closed " + id + " http r1",
        "opened " + id + " long-poll r1",
        "subscribed c long-poll",
        "delivered c long-poll",
        "unsubscribed c long-poll",
        "closed " + id + " long-poll r1",
        "completed r1 200");
  }

  @Test
  void duplicatesAndEmptyChannelsAreDrops() throws Exception {
    Recorder recorder = new Recorder();
    P8Server p8 = start(P8Server.builder().listener(recorder));
    p8.publisher().publish(Item.builder("empty").id("1").httpStream(dev.p8.publish.HttpStreamFormat.send("x")).build());
    p8.publisher().publish(Item.builder("empty").id("1").httpStream(dev.p8.publish.HttpStreamFormat.send("x")).build());
    await("both publishes seen", () -> recorder.events.contains("dropped duplicate empty"));
    assertThat(recorder.events).containsExactly("received empty 0", "dropped no-subscribers empty",
        "dropped duplicate empty");
  }

  @Test
  void badOptionsGetClearErrors() {
    assertThatThrownBy(() -> P8Server.builder().prometheusPrefix("9lives"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prometheusPrefix must be empty or a Prometheus metric name");
    assertThatThrownBy(() -> P8Server.builder().prometheusListener("127.0.0.1", 70000))
        .hasMessage("prometheus port must be 0-65535, was 70000");
    assertThatThrownBy(() -> P8Server.builder().statsFormat("xml"))
        .hasMessage("statsFormat must be tnetstring or json, was \"xml\"");
    assertThatThrownBy(() -> P8Server.builder().stats("stats.sock"))
        .hasMessageContaining("stats must be a ZeroMQ endpoint");
    assertThatThrownBy(() -> P8Server.builder().statsReportInterval(Duration.ZERO))
        .hasMessageContaining("statsReportInterval must be at least 1 ms");
    assertThatThrownBy(() -> P8Server.builder().prometheusPrefix("p8_").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prometheusPrefix was given without prometheusListener");
    assertThatThrownBy(() -> P8Server.builder().statsFormat("json").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without stats(spec)");
    assertThatThrownBy(() -> P8Server.builder().listener(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aWebSocketOverHttpIsCountedAsSuch() throws Exception {
    MockWebServer wsBackend = new MockWebServer();
    wsBackend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        List<dev.p8.websocket.WebSocketEvent> out = new ArrayList<>();
        MockResponse response = new MockResponse()
            .setHeader("Content-Type", dev.p8.websocket.WebSocketEvents.CONTENT_TYPE);
        try {
          for (dev.p8.websocket.WebSocketEvent e : dev.p8.websocket.WebSocketEvents.parse(request.getBody().readByteArray())) {
            if (e.type() == dev.p8.websocket.WebSocketEvent.Type.OPEN) {
              out.add(dev.p8.websocket.WebSocketEvent.open());
              response.setHeader("Sec-WebSocket-Extensions", "grip");
              out.add(dev.p8.websocket.WebSocketEvent.text(dev.p8.websocket.GripControl.subscribe("room")));
            }
          }
        } catch (Exception e) {
          return new MockResponse().setResponseCode(400);
        }
        return response.setBody(new okio.Buffer().write(dev.p8.websocket.WebSocketEvents.encode(out)));
      }
    });
    wsBackend.start();
    try {
      P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
          .route("*,id=ws 127.0.0.1:" + wsBackend.getPort() + ",over_http")
          .prometheusListener("127.0.0.1", 0).build().start();
      servers.add(p8);
      java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
      java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(java.net.URI.create("ws://127.0.0.1:" + p8.port() + "/chat"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
              got.add(data.toString());
              w.request(1);
              return null;
            }
          }).join();
      await("subscribed", () -> p8.subscriptions() == 1);
      await("the handshake completed", () -> scrapeSample(p8, "request_completed{status=\"1xx\"}") == 1);
      p8.publisher().publish(Item.builder("room").wsMessage(dev.p8.publish.WsMessageFormat.text("hi")).build());
      assertThat(got.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hi");
      String text = scrape(p8);
      assertThat(sample(text, "connection_open{transport=\"ws-over-http\"}")).isEqualTo(1);
      assertThat(sample(text, "connection_open{transport=\"http\"}")).as("a handshake is no HTTP connection").isZero();
      assertThat(sample(text, "subscription_open{transport=\"ws-over-http\"}")).isEqualTo(1);
      assertThat(sample(text, "message_delivered{transport=\"ws-over-http\"}")).isEqualTo(1);
      ws.sendClose(1000, "done").join();
      await("the close is counted", () -> scrapeSample(p8, "connection_connected") == 0
          && scrapeSample(p8, "subscription_open{transport=\"ws-over-http\"}") == 0);
    } finally {
      wsBackend.shutdown();
    }
  }

  @Test
  void aSlowStreamClientIsCountedAsADrop() throws Exception {
    P8Server p8 = start(P8Server.builder().prometheusListener("127.0.0.1", 0)
        .limits(Limits.builder().maxStreamBufferBytes(64 * 1024).build()));
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", p8.port()));
      socket.getOutputStream().write(("GET /stream?channel=slow HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      await("subscribed", () -> p8.subscriptions() == 1);
      // The client never reads: once the socket buffers are full, P8 queues, then gives up.
      Item big = Item.stream("slow", "x".repeat(32 * 1024));
      for (int i = 0; i < 10_000 && p8.subscriptions() > 0; i++) {
        p8.publisher().publish(big);
      }
      await("the slow client is dropped", () -> p8.subscriptions() == 0);
      await("the drop is counted", () -> scrapeSample(p8, "message_dropped{reason=\"slow-client\"}") == 1);
    }
  }

  private java.nio.file.Path conf(String... lines) throws IOException {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("p8-metrics");
    java.nio.file.Path file = dir.resolve("pushpin.conf");
    java.nio.file.Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  @Test
  void pushpinConfKeysTurnOnPrometheusAndStats() throws Exception {
    java.nio.file.Path file = conf("[runner]", "http_port=127.0.0.1:0", "[proxy]",
        "prometheus_port=127.0.0.1:0", "prometheus_prefix=pushpin_", "[handler]", "push_in_http_port=0",
        "stats_spec=tcp://127.0.0.1:*", "stats_format=json", "stats_report_interval=5",
        "prometheus_port=ipc://prometheus.sock");
    try (P8Server p8 = Standalone.builder("--config", file.toString()).route("* test").build().start()) {
      assertThat(p8.statsEndpoint()).startsWith("tcp://127.0.0.1:");
      assertThat(get(p8.url() + "/")).isEqualTo("Hello from the P8 test handler!\n");
      await("the request is counted", () -> scrapeSample(p8, "pushpin_request_received") == 1);
    }
  }

  @Test
  void badPushpinConfValuesNameTheKey() throws Exception {
    assertThatThrownBy(() -> Standalone.builder("--config", conf("[proxy]", "prometheus_port=nine").toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("[proxy] prometheus_port: ");
    assertThatThrownBy(() -> Standalone.builder("--config", conf("[handler]", "prometheus_port=1:2:3").toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("[handler] prometheus_port: ");
    assertThatThrownBy(() -> Standalone.builder("--config", conf("[handler]", "stats_spec=tcp://127.0.0.1:*",
        "stats_format=xml").toString()))
        .hasMessage("[handler] stats_format: statsFormat must be tnetstring or json, was \"xml\"");
    assertThatThrownBy(() -> Standalone.builder("--config", conf("[proxy]", "prometheus_port=0",
        "prometheus_prefix=has space").toString()))
        .hasMessageStartingWith("prometheus_prefix: prometheusPrefix must be empty or a Prometheus metric name");
  }

  @Test
  void aPrometheusPortInUseFailsTheStartNamingIt() throws Exception {
    P8Server first = start(P8Server.builder().prometheusListener("127.0.0.1", 0));
    int taken = first.prometheusPort();
    java.util.concurrent.atomic.AtomicInteger clientPort = new java.util.concurrent.atomic.AtomicInteger();
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      clientPort.set(probe.getLocalPort());
    }
    // The client listener binds first and must be released when the last listener fails.
    assertThatThrownBy(() -> P8Server.builder().listen("127.0.0.1", clientPort.get()).noControlListener()
        .prometheusListener("127.0.0.1", taken).build().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Prometheus listener 127.0.0.1:" + taken);
    await("the client port is free again", () -> {
      try (java.net.ServerSocket again = new java.net.ServerSocket(clientPort.get(), 50,
          java.net.InetAddress.getLoopbackAddress())) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }
}
