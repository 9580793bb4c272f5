package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import dev.p8.undertow.junit.ControlUrl;
import dev.p8.undertow.junit.P8Backend;
import dev.p8.undertow.junit.P8Test;
import io.undertow.server.HttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * An integration test written with the test kit: P8 runs in-process on a free port in front of
 * the chat backend, and each test gets the proxy, its URLs and a publisher as parameters. After
 * each test the kit checks that nothing was left held.
 */
@P8Test
class ChatIntegrationTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @P8Backend
  static HttpHandler backend(Publisher publisher) {
    return LongPollChat.backend(publisher);
  }

  @Test
  void aPublishedItemEndsTheLongPoll(URI p8, Publisher publisher, P8Server server) throws Exception {
    CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
        HttpRequest.newBuilder(p8.resolve("/messages")).build(), HttpResponse.BodyHandlers.ofString());
    awaitSubscriptions(server, 1);

    publisher.publish(Item.response(LongPollChat.CHANNEL, "from the test\n"));

    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("from the test\n");
  }

  @Test
  void publishingFromAnotherProcessWorksToo(URI p8, @ControlUrl URI control, P8Server server) throws Exception {
    CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
        HttpRequest.newBuilder(p8.resolve("/messages")).build(), HttpResponse.BodyHandlers.ofString());
    awaitSubscriptions(server, 1);

    PublishFromJava.publish(control, LongPollChat.CHANNEL, "over HTTP").toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("over HTTP\n");
  }

  private static void awaitSubscriptions(P8Server server, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.subscriptions() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + n + " subscription(s)");
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
