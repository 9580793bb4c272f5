package dev.p8.undertow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.config.ConfigException;
import dev.p8.publish.Item;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone program reads Pushpin's command line and pushpin.conf. */
class StandaloneTest {

  @TempDir
  Path dir;

  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();

  @Test
  void runsFromAPushpinConfAndRoutesFile() throws Exception {
    MockWebServer backend = new MockWebServer();
    backend.start();
    Files.writeString(dir.resolve("pushpin.conf"), String.join("\n",
        "[global]",
        "include={libdir}/internal.conf",
        "port_offset=0",
        "[runner]",
        "services=connmgr,proxy,handler",
        "http_port=127.0.0.1:0",
        "[proxy]",
        "routesfile=routes",
        "sig_iss=pushpin",
        "sig_key=changeme",
        "debug=true",
        "[handler]",
        "push_in_http_addr=127.0.0.1",
        "push_in_http_port=0",
        "push_in_http_max_body_size=2000",
        "message_rate=2500",
        "stats_spec=ipc://{rundir}/{ipc_prefix}stats",
        ""), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("routes"), "# the backend\n* 127.0.0.1:" + backend.getPort() + "\n",
        StandardCharsets.UTF_8);
    try (P8Server p8 = Standalone.builder("--config", dir.resolve("pushpin.conf").toString()).build().start()) {
      backend.enqueue(new MockResponse().setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "test").setBody("open\n"));
      okhttp3.Call call = client.newCall(new Request.Builder().url(p8.url() + "/").build());
      Response r = call.execute();
      try (StreamReader stream = new StreamReader(call, r)) {
        stream.expect("open\n");
        assertThat(backend.takeRequest().getHeader("Grip-Sig")).as("sig_key=changeme signs requests").isNotNull();
        Awaits.await("subscription", () -> p8.subscriptions() == 1);
        p8.publisher().publish(Item.stream("test", "hello there\n"));
        stream.expect("hello there\n");
      }
      assertThat(p8.controlPort()).isPositive();
      assertThat(p8.engine().config().messageRate()).as("message_rate").isEqualTo(2500);
    } finally {
      backend.shutdown();
    }
  }

  @Test
  void routeFlagsReplaceTheRoutesFile() throws Exception {
    try (P8Server p8 = Standalone.builder("--port=127.0.0.1:0", "--route", "* test").noControlListener().build().start();
        Response r = client.newCall(new Request.Builder().url(p8.url() + "/").build()).execute()) {
      assertThat(r.body().string()).isEqualTo("Hello from the P8 test handler!\n");
    }
  }

  @Test
  void theTestTargetStreams() throws Exception {
    try (P8Server p8 = Standalone.builder("--port", "127.0.0.1:0", "--route=* test").noControlListener().build().start()) {
      okhttp3.Call call = client.newCall(new Request.Builder().url(p8.url() + "/stream?channel=t").build());
      Response r = call.execute();
      try (StreamReader stream = new StreamReader(call, r)) {
        stream.expect("[stream opened]\n");
        Awaits.await("subscription", () -> p8.subscriptions() == 1);
        p8.publisher().publish(Item.stream("t", "ping\n"));
        stream.expect("ping\n");
      }
    }
  }

  @Test
  void badInputIsRefusedWithAClearMessage() throws IOException {
    assertThatThrownBy(() -> Standalone.builder("--bogus")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--bogus");
    assertThatThrownBy(() -> Standalone.builder("--route", "* nohostport")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--route");
    Files.writeString(dir.resolve("bad.conf"), "[handler]\npush_in_http_port=notaport\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Standalone.builder("--config", dir.resolve("bad.conf").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("push_in_http_port");
    assertThat(Standalone.run("--bogus")).isEqualTo(1);
    assertThat(Standalone.run("--help")).isZero();
  }

  @Test
  void theBannerNamesThePortsTheZeroMqEndpointsAndTheRoutes() {
    try (P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).controlListener("127.0.0.1", 0)
        .zmqPull("tcp://127.0.0.1:*").route("*,path_beg=/api 127.0.0.1:8080").route("* test")
        .build().start()) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      Standalone.banner(p8, new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
      org.assertj.core.api.Assertions.assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
          .contains("P8 listening for clients on port " + p8.port())
          .contains("control API (publish) on port " + p8.controlPort())
          .contains("ZeroMQ publish input (PULL): " + p8.zmqPullEndpoint())
          .contains("route: *,path_beg=/api 127.0.0.1:8080")
          .contains("route: * test");
    }
  }
}
