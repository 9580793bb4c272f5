package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LongPollChatTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final ExampleServer chat = LongPollChat.start(0, 0);

  @AfterEach
  void stop() {
    chat.close();
  }

  @Test
  void everyWaitingClientGetsTheMessage() throws Exception {
    URI messages = chat.url().resolve("/messages");
    CompletableFuture<HttpResponse<String>> alice = http.sendAsync(HttpRequest.newBuilder(messages).build(),
        HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> bob = http.sendAsync(HttpRequest.newBuilder(messages).build(),
        HttpResponse.BodyHandlers.ofString());
    await("two long-polls held", () -> chat.proxy().subscriptions() == 2);

    HttpResponse<String> sent = http.send(HttpRequest.newBuilder(messages)
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(sent.statusCode()).isEqualTo(202);
    assertThat(alice.get(10, TimeUnit.SECONDS).body()).isEqualTo("hello\n");
    assertThat(bob.get(10, TimeUnit.SECONDS).body()).isEqualTo("hello\n");
    assertThat(alice.get().statusCode()).isEqualTo(200);
  }
}
