package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Item;
import dev.p8.undertow.P8Server;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelCounterTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void countsDeliveriesPerChannelBesideTheBuiltInMetrics() throws Exception {
    ChannelCounter counter = new ChannelCounter();
    try (P8Server p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener().route("* test")
        .listener(counter).prometheusListener("127.0.0.1", 0).build().start()) {
      HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(p8.url().resolve("/stream?channel=news"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        assertThat(lines.readLine()).isEqualTo("[stream opened]");
        await("subscribed", () -> p8.subscriptions() == 1);
        assertThat(counter.openConnections()).isEqualTo(1);
        p8.publisher().publish(Item.stream("news", "one\n"));
        p8.publisher().publish(Item.stream("news", "two\n"));
        assertThat(lines.readLine()).isEqualTo("one");
        assertThat(lines.readLine()).isEqualTo("two");
      }
      assertThat(counter.deliveries()).isEqualTo(Map.of("news", 2L));
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p8.prometheusPort() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("\nmessage_sent 2\n");
      await("the stream's close is seen", () -> counter.openConnections() == 0);
    }
  }
}
