package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.undertow.P8Server;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReliableFeedTest {

  private final P8Server p8 = ReliableFeed.start(0);
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    p8.close();
  }

  @Test
  void aLostPublishReachesTheStreamThroughTheNextLink() throws Exception {
    say("one", false);
    HttpResponse<InputStream> feed = http.send(
        HttpRequest.newBuilder(p8.url().resolve("/feed")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
      assertEvent(lines, "1", "one");
      await("the stream is held", () -> p8.subscriptions() == 1);

      say("two", false);
      assertEvent(lines, "2", "two");

      say("three", true);
      say("four", false);
      // Four names three as its predecessor; P8 never saw three, so after message_wait it asks
      // the backend with Grip-Last and the stream gets three, then four, in order.
      assertEvent(lines, "3", "three");
      assertEvent(lines, "4", "four");

      say("five", false);
      assertEvent(lines, "5", "five");
    }
  }

  @Test
  void aClientThatConnectsLateGetsTheWholeLog() throws Exception {
    say("a", false);
    say("b", true);
    HttpResponse<InputStream> feed = http.send(
        HttpRequest.newBuilder(p8.url().resolve("/feed")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
      assertEvent(lines, "1", "a");
      assertEvent(lines, "2", "b");
    }
  }

  private void say(String text, boolean lose) throws Exception {
    HttpResponse<String> said = http.send(HttpRequest.newBuilder(p8.url().resolve(lose ? "/say?lose=1" : "/say"))
        .POST(HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(said.body()).isEqualTo("Said\n");
  }

  private static void assertEvent(BufferedReader lines, String id, String data) throws Exception {
    assertThat(lines.readLine()).isEqualTo("id: " + id);
    assertThat(lines.readLine()).isEqualTo("data: " + data);
    assertThat(lines.readLine()).isEmpty();
  }
}
