package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Item;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auto cross-origin: the route option {@code aco} and {@code autoCrossOrigin}. */
class CorsTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private P8Server p8;

  @BeforeEach
  void setUp() throws IOException {
    backend.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
  }

  private void start(P8Server.Builder b) {
    p8 = b.listen("127.0.0.1", 0).noControlListener().build().start();
  }

  private Response call(String method, String... headers) throws IOException {
    Request.Builder r = new Request.Builder().url(p8.url() + "/x").method(method, null);
    for (int i = 0; i < headers.length; i += 2) {
      r.addHeader(headers[i], headers[i + 1]);
    }
    return client.newCall(r.build()).execute();
  }

  @Test
  void addsCorsHeadersToARelayedResponse() throws Exception {
    start(P8Server.builder().route("*,aco 127.0.0.1:" + backend.getPort()));
    backend.enqueue(new MockResponse().setHeader("X-Custom", "1").setHeader("Content-Type", "text/plain")
        .setHeader("Cache-Control", "no-cache").setBody("hi"));

    try (Response r = call("GET")) {
      assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("OPTIONS, HEAD, GET, POST, PUT, DELETE");
      assertThat(r.header("Access-Control-Allow-Headers")).isNull();
      assertThat(r.header("Access-Control-Expose-Headers")).contains("X-Custom")
          .doesNotContain("Content-Type").doesNotContain("Cache-Control");
      assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(r.header("Access-Control-Max-Age")).isEqualTo("3600");
    }
  }

  @Test
  void aPreflightGoesToTheBackendAndEchoesWhatWasAsked() throws Exception {
    start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()).autoCrossOrigin(true));
    backend.enqueue(new MockResponse().setHeader("Access-Control-Max-Age", "10"));

    try (Response r = call("OPTIONS", "Origin", "https://app.example", "Access-Control-Request-Method", "PUT",
        "Access-Control-Request-Headers", "X-A, X-B")) {
      assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("PUT");
      assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("X-A, X-B");
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      assertThat(r.headers("Access-Control-Max-Age")).as("the backend's own value wins").containsExactly("10");
    }
    assertThat(backend.getRequestCount()).isEqualTo(1);
  }

  @Test
  void withoutAcoNothingIsAdded() throws Exception {
    start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()));
    backend.enqueue(new MockResponse());

    try (Response r = call("GET", "Origin", "https://app.example")) {
      assertThat(r.headers().names()).noneMatch(n -> n.startsWith("Access-Control-"));
    }
  }

  @Test
  void aHeldResponseAndWhatIsPublishedToItCarryTheHeaders() throws Exception {
    start(P8Server.builder().route("*,aco 127.0.0.1:" + backend.getPort()));
    backend.enqueue(new MockResponse().setHeader("Grip-Hold", "response").setHeader("Grip-Channel", "c")
        .setHeader("X-Kept", "k").setBody("timeout"));

    CompletableFuture<Response> pending = CompletableFuture.supplyAsync(() -> {
      try {
        return call("GET", "Origin", "https://app.example");
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    await("the long-poll to subscribe", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.response("c", "published"));

    try (Response r = pending.get()) {
      assertThat(r.body().string()).isEqualTo("published");
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      assertThat(r.header("Access-Control-Expose-Headers")).isEqualTo("X-Kept");
    }
  }
}
