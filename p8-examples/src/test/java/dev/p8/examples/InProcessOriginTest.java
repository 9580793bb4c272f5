package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.undertow.P8Server;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessOriginTest {

  private final P8Server p8 = InProcessOrigin.start(0);
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    p8.close();
  }

  @Test
  void theRouteHasNoBackendAddress() throws Exception {
    assertThat(p8.routes().get(0).targets().get(0).isInProcess()).isTrue();
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(p8.url().resolve("/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.body()).isEqualTo("The application's own page\n");
  }

  @Test
  void oneSayReachesAStreamAPollAndAWebSocket() throws Exception {
    HttpResponse<InputStream> events = http.send(
        HttpRequest.newBuilder(p8.url().resolve("/events")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
        HttpRequest.newBuilder(p8.url().resolve("/poll")).build(), HttpResponse.BodyHandlers.ofString());
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    WebSocket ws = http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + "/ws"), collector(messages)).join();
    await("stream, poll and socket subscribed", () -> p8.subscriptions() == 3);

    HttpResponse<String> said = http.send(HttpRequest.newBuilder(p8.url().resolve("/say"))
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(said.body()).isEqualTo("Published\n");

    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("hello\n");
    assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo(": open");
      assertThat(lines.readLine()).isEmpty();
      assertThat(lines.readLine()).isEqualTo("data: hello");
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
  }

  private static WebSocket.Listener collector(BlockingQueue<String> into) {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        into.add(data.toString());
        ws.request(1);
        return null;
      }
    };
  }
}
