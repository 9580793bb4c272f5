package dev.p8.undertow.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The kit as a user sees it: an Undertow backend, injected server, URLs and publisher. */
@P8Test(routes = {"*,path_beg=/api {backend}"})
class P8TestKitTest {

  /** Holds {@code /api/poll}; {@code /api/echo?text=} publishes through the injected publisher. */
  @P8Backend
  static HttpHandler backend(Publisher publisher) {
    return exchange -> {
      if (exchange.getRequestPath().equals("/api/echo")) {
        publisher.publish(Item.response("kit", exchange.getQueryParameters().get("text").getFirst()));
        exchange.getResponseSender().send("published");
        return;
      }
      exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "response");
      exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Channel"), "kit");
      exchange.getResponseSender().send("timed out\n");
    };
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @P8Setup
  static void setUp(P8Server.Builder builder) {
    builder.backendTimeout(Duration.ofSeconds(5));
  }

  @Test
  void callsTheBackendInProcessByDefault(P8Server server) {
    assertThat(server.routes()).singleElement().hasToString("*,path_beg=/api in-process:backend,over_http");
  }

  @Test
  void injectsTheRunningServerAndItsUrls(P8Server server, URI p8, @ControlUrl URI control) {
    assertThat(server.port()).isPositive();
    assertThat(p8).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
    assertThat(control).isEqualTo(URI.create("http://127.0.0.1:" + server.controlPort()));
  }

  @Test
  void routesReachTheBackendAndThePublisherReachesTheHold(URI p8, Publisher publisher, P8Server server)
      throws Exception {
    CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
        HttpRequest.newBuilder(p8.resolve("/api/poll")).build(), HttpResponse.BodyHandlers.ofString());
    awaitSubscriptions(server, 1);
    publisher.publish(Item.builder("kit")
        .httpResponse(HttpResponseFormat.builder().body("hello\n").build()).build());
    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("hello\n");
  }

  @Test
  void aBackendMethodReceivesThePublisher(URI p8, P8Server server) throws Exception {
    CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
        HttpRequest.newBuilder(p8.resolve("/api/poll")).build(), HttpResponse.BodyHandlers.ofString());
    awaitSubscriptions(server, 1);
    HttpResponse<String> echo = HTTP.send(HttpRequest.newBuilder(p8.resolve("/api/echo?text=from-backend")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(echo.body()).isEqualTo("published");
    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("from-backend");
  }

  @Test
  void pathsWithoutARouteGetNoBackend(URI p8) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(p8.resolve("/other")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isNotEqualTo(200);
  }

  @Test
  void publishingThroughTheControlUrlWorks(URI p8, @ControlUrl URI control, P8Server server)
      throws Exception {
    CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
        HttpRequest.newBuilder(p8.resolve("/api/poll")).build(), HttpResponse.BodyHandlers.ofString());
    awaitSubscriptions(server, 1);
    HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(control.resolve("/publish"))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"items\":[{\"channel\":\"kit\",\"formats\":{\"http-response\":{\"body\":\"via control\\n\"}}}]}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).isEqualTo(200);
    assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("via control\n");
  }

  static void awaitSubscriptions(P8Server server, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.subscriptions() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + n + " subscription(s), have "
            + server.subscriptions());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
