package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo the README starts, driven as a newcomer would: page, SSE, long-poll, curl. */
class DemoTest {

  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private P8Main.Demo demo;

  @BeforeEach
  void start() {
    demo = P8Main.Demo.start("127.0.0.1", 0, 0);
  }

  @AfterEach
  void stop() {
    demo.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + demo.proxy().port() + path;
  }

  private void awaitSubscribers(int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (demo.proxy().subscriptions() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + n + " subscriber(s)");
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void servesThePage() throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url("/")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).contains("new EventSource('/events')");
    }
  }

  @Test
  void messagesSentFromThePageReachServerSentEvents() throws Exception {
    Response events = client.newCall(new Request.Builder().url(url("/events")).build()).execute();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(events.body().byteStream(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("event: open");
      awaitSubscribers(1);
      try (Response r = client.newCall(new Request.Builder().url(url("/send?text=hello%20world"))
          .post(RequestBody.create(new byte[0])).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("data: hello"));
      assertThat(line).isEqualTo("data: hello world");
    }
  }

  @Test
  void theWebSocketChatBroadcastsToEverySocket() throws Exception {
    java.util.concurrent.BlockingQueue<String> first = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<String> second = new java.util.concurrent.LinkedBlockingQueue<>();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.WebSocket a = http.newWebSocketBuilder()
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + demo.proxy().port() + "/ws"), collector(first)).join();
    http.newWebSocketBuilder()
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + demo.proxy().port() + "/ws"), collector(second)).join();
    awaitSubscribers(2);
    a.sendText("hi all", true).join();
    assertThat(first.poll(10, TimeUnit.SECONDS)).isEqualTo("(websocket) hi all");
    assertThat(second.poll(10, TimeUnit.SECONDS)).isEqualTo("(websocket) hi all");
  }

  private static java.net.http.WebSocket.Listener collector(java.util.concurrent.BlockingQueue<String> into) {
    return new java.net.http.WebSocket.Listener() {
      @Override
      public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
        into.add(data.toString());
        ws.request(1);
        return null;
      }
    };
  }

  @Test
  void theCurlCommandFromTheBannerReachesALongPoll() throws Exception {
    CompletableFuture<String> poll = CompletableFuture.supplyAsync(() -> {
      try (Response r = client.newCall(new Request.Builder().url(url("/poll")).build()).execute()) {
        return r.code() + " " + r.body().string();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    awaitSubscribers(1);
    String json = "{\"items\": [{\"channel\": \"demo\", \"formats\": {"
        + "\"http-stream\": {\"content\": \"event: message\\ndata: hello from curl\\n\\n\"}, "
        + "\"http-response\": {\"body\": \"hello from curl\\n\"}}}]}";
    try (Response r = client.newCall(new Request.Builder()
        .url("http://127.0.0.1:" + demo.proxy().controlPort() + "/publish")
        .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.body().string()).isEqualTo("Published\n");
    }
    assertThat(poll.get(10, TimeUnit.SECONDS)).isEqualTo("200 hello from curl\n");
  }
}
