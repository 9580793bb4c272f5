package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedInUndertowTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final EmbeddedInUndertow app = EmbeddedInUndertow.start(0);

  @AfterEach
  void stop() {
    app.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(app.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theApplicationKeepsItsOwnPages() throws Exception {
    assertThat(get("/").body()).isEqualTo("The application's own page\n");
  }

  @Test
  void gripHandlersRefuseRequestsThatDidNotComeThroughP8() throws Exception {
    HttpResponse<String> r = get("/grip/updates");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Grip-Hold")).isEmpty();
  }

  @Test
  void theApplicationPublishesToStreamsHeldOnItsOwnPort() throws Exception {
    HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(app.url().resolve("/live/updates")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("Waiting for updates");
      await("the stream subscribed", () -> app.p8().subscriptions() == 1);
      HttpResponse<String> published = http.send(HttpRequest.newBuilder(app.url().resolve("/update"))
          .POST(HttpRequest.BodyPublishers.ofString("version 2 is out")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(published.body()).isEqualTo("Published\n");
      assertThat(lines.readLine()).isEqualTo("version 2 is out");
    }
  }
}
