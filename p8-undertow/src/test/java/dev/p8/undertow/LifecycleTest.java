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
    assertThatThrownBy(() -> Limits.builder().maxStreamBufferBytes(0))
        .hasMessage("maxStreamBufferBytes must be positive, was 0");
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
}
