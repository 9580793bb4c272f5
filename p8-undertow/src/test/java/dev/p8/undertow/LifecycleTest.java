package dev.p8.undertow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.HttpPublisher;
import dev.p8.publish.Item;
import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void portsAreKnownOnlyWhileStarted() {
    P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).controlListener("127.0.0.1", 0).build();
    assertThat(p8.port()).isEqualTo(-1);
    assertThatThrownBy(p8::url).isInstanceOf(IllegalStateException.class).hasMessageContaining("NEW");
    try (p8) {
      p8.start();
      assertThat(p8.start()).as("start is idempotent").isSameAs(p8);
      assertThat(p8.port()).isPositive();
      assertThat(p8.controlPort()).isPositive().isNotEqualTo(p8.port());
      assertThat(p8.url()).isEqualTo(URI.create("http://127.0.0.1:" + p8.port()));
    }
    assertThat(p8.port()).isEqualTo(-1);
    assertThatThrownBy(p8::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("build a new one");
  }

  @Test
  void aPortInUseFailsStartNamingTheListener() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      P8Server p8 = P8Server.builder().listen("127.0.0.1", taken.getLocalPort()).noControlListener().build();
      assertThatThrownBy(p8::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("client listener 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void builderRejectsBadValuesNamingTheOption() {
    assertThatThrownBy(() -> P8Server.builder().listen("127.0.0.1", 70000))
        .hasMessage("listen port must be 0-65535, was 70000");
    assertThatThrownBy(() -> P8Server.builder().route("* "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> P8Server.builder().signing("iss", "base64:%%%"))
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> P8Server.builder().backendTimeout(Duration.ZERO))
        .hasMessageContaining("backendTimeout");
    assertThatThrownBy(() -> P8Server.builder().messageWait(Duration.ZERO))
        .hasMessage("messageWait must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> P8Server.builder().idCacheTtl(Duration.ofSeconds(-1)))
        .hasMessage("idCacheTtl must be zero or more, was PT-1S");
    assertThatThrownBy(() -> P8Server.builder().zmqPull("localhost:5560"))
        .hasMessageContaining("zmqPull must be a ZeroMQ endpoint");
    assertThatThrownBy(() -> Limits.builder().maxStreamBufferBytes(0))
        .hasMessage("maxStreamBufferBytes must be positive, was 0");
    assertThatThrownBy(() -> Limits.builder().maxIdleBackendConnections(-3))
        .hasMessage("maxIdleBackendConnections must be positive, was -3");
    assertThatThrownBy(() -> P8Server.builder().listen("127.0.0.1", 5561).controlListener("127.0.0.1", 5561).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("same port");
  }

  @Test
  void handlersMountInsideAnApplicationsOwnUndertow() throws Exception {
    MockWebServer backend = new MockWebServer();
    backend.start();
    P8Server p8 = P8Server.builder().route("* 127.0.0.1:" + backend.getPort()).build();
    Undertow app = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setHandler(new PathHandler()
            .addPrefixPath("/internal/p8", p8.controlHandler())
            .addPrefixPath("/", p8.handler()))
        .build();
    app.start();
    try {
      int port = ((InetSocketAddress) app.getListenerInfo().get(0).getAddress()).getPort();
      backend.enqueue(new MockResponse().setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "app").setBody("hi\n"));
      OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
      okhttp3.Call call = client.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/events").build());
      Response r = call.execute();
      try (StreamReader stream = new StreamReader(call, r)) {
        stream.expect("hi\n");
        Awaits.await("subscription", () -> p8.subscriptions() == 1);
        HttpPublisher publisher = HttpPublisher.builder()
            .endpoint(URI.create("http://127.0.0.1:" + port + "/internal/p8")).build();
        publisher.publish(Item.stream("app", "through the app's own server\n")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        stream.expect("through the app's own server\n");
      }
    } finally {
      app.stop();
      p8.close();
      backend.shutdown();
    }
  }

  @Test
  void gracefulStopLetsHeldConnectionsEndThenEndsTheRestCleanly() throws Exception {
    MockWebServer backend = new MockWebServer();
    backend.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
      @Override
      public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
        if (request.getPath().startsWith("/poll")) {
          return new MockResponse().setHeader("Grip-Hold", "response")
              .setHeader("Grip-Channel", request.getRequestUrl().queryParameter("channel"))
              .setBody("nothing yet\n");
        }
        return new MockResponse().setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "stream")
            .setBody("[open]\n");
      }
    });
    backend.start();
    OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort()).build().start();
    try {
      java.util.concurrent.CompletableFuture<String> answered = poll(client, p8, "news");
      java.util.concurrent.CompletableFuture<String> unanswered = poll(client, p8, "quiet");
      okhttp3.Call streamCall = client.newCall(new Request.Builder().url(p8.url() + "/stream").build());
      StreamReader stream = new StreamReader(streamCall, streamCall.execute());
      stream.expect("[open]\n");
      Awaits.await("three held connections", () -> p8.heldConnections() == 3);

      Thread stopping = new Thread(() -> p8.stop(Duration.ofMillis(800)));
      stopping.start();
      // Still serving what it holds during the grace period: this long-poll gets the publish.
      p8.publisher().publish(Item.response("news", "published during grace\n"));
      assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo("published during grace\n");
      assertThat(unanswered.get(10, TimeUnit.SECONDS)).as("its timeout response when the grace ran out")
          .isEqualTo("nothing yet\n");
      assertThat(stream.expectEnd()).as("the stream ended with its last chunk, not a reset").isEmpty();
      stopping.join(10_000);
      assertThat(stopping.isAlive()).isFalse();
      assertThat(p8.port()).isEqualTo(-1);
    } finally {
      p8.close();
      backend.shutdown();
    }
  }

  @Test
  void gracefulStopDeliversItemsStillWaitingForTheirPredecessor() throws Exception {
    MockWebServer backend = new MockWebServer();
    backend.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
      @Override
      public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
        return new MockResponse().setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "stream")
            .setBody("[open]\n");
      }
    });
    backend.start();
    OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort()).messageWait(Duration.ofMinutes(10)).build().start();
    try {
      okhttp3.Call streamCall = client.newCall(new Request.Builder().url(p8.url() + "/stream").build());
      StreamReader stream = new StreamReader(streamCall, streamCall.execute());
      stream.expect("[open]\n");
      Awaits.await("the stream held", () -> p8.heldConnections() == 1);
      p8.publisher().publish(Item.builder("stream").id("1")
          .httpStream(dev.p8.publish.HttpStreamFormat.send("one\n")).build());
      stream.expect("one\n");
      // Its predecessor 2 never comes; without the flush it would wait ten minutes.
      p8.publisher().publish(Item.builder("stream").id("3").prevId("2")
          .httpStream(dev.p8.publish.HttpStreamFormat.send("three\n")).build());

      p8.stop(Duration.ofMillis(300));

      stream.expect("three\n");
      assertThat(stream.expectEnd()).isEmpty();
    } finally {
      p8.close();
      backend.shutdown();
    }
  }

  private static java.util.concurrent.CompletableFuture<String> poll(OkHttpClient client, P8Server p8, String channel) {
    java.util.concurrent.CompletableFuture<String> body = new java.util.concurrent.CompletableFuture<>();
    client.newCall(new Request.Builder().url(p8.url() + "/poll?channel=" + channel).build()).enqueue(new okhttp3.Callback() {
      @Override
      public void onFailure(okhttp3.Call call, IOException e) {
        body.completeExceptionally(e);
      }

      @Override
      public void onResponse(okhttp3.Call call, Response response) throws IOException {
        try (response) {
          body.complete(response.body().string());
        }
      }
    });
    return body;
  }
}
