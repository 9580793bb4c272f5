package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseTickerTest {

  private final ExampleServer ticker = SseTicker.start(0, 0, Duration.ofMillis(50));

  @AfterEach
  void stop() {
    ticker.close();
  }

  @Test
  void theStreamGetsConsecutiveTicks() throws Exception {
    HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(ticker.url().resolve("/ticker")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
    assertThat(stream.headers().firstValue("Grip-Hold")).isEmpty();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo(": ticking");
      List<Long> ticks = new ArrayList<>();
      while (ticks.size() < 3) {
        String line = lines.readLine();
        assertThat(line).as("stream ended after ticks %s", ticks).isNotNull();
        if (line.startsWith("data: tick ")) {
          ticks.add(Long.parseLong(line.substring("data: tick ".length())));
        }
      }
      assertThat(ticks.get(1)).isEqualTo(ticks.get(0) + 1);
      assertThat(ticks.get(2)).isEqualTo(ticks.get(1) + 1);
    }
  }
}
