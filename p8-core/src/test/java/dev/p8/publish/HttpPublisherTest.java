package dev.p8.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.publish.ItemJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpPublisherTest {

  /** Generous: only reached when something is broken, never waited out on success. */
  private static final long DEADLINE_SECONDS = 10;

  private final MockWebServer first = new MockWebServer();
  private final MockWebServer second = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    first.start();
    second.start();
  }

  @AfterEach
  void stop() throws IOException {
    first.shutdown();
    second.shutdown();
  }

  @Test
  void postsItemsAsJsonToThePublishPath() throws Exception {
    first.enqueue(new MockResponse().setBody("Published\n"));
    List<Item> items = List.of(Item.stream("news", "data: hi\n\n"), Item.message("news", "hi"));
    Publisher publisher = HttpPublisher.builder()
        .endpoint(base(first))
        .header("Authorization", "Bearer abc")
        .build();

    await(publisher.publish(items));

    RecordedRequest request = first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getPath()).isEqualTo("/publish/");
    assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(request.getHeader("Authorization")).isEqualTo("Bearer abc");
    byte[] body = request.getBody().readByteArray();
    assertThat(body).isEqualTo(ItemJson.encodeItems(items));
    assertThat(ItemJson.decodeItems(body)).isEqualTo(items);
  }

  @Test
  void appendsThePublishPathToAPathPrefix() throws Exception {
    first.enqueue(new MockResponse());
    first.enqueue(new MockResponse());
    URI prefixed = base(first).resolve("/realm/abc");
    URI prefixedWithSlash = base(first).resolve("/other/");

    await(HttpPublisher.builder().endpoint(prefixed).build().publish(Item.stream("c", "x")));
    await(HttpPublisher.builder().endpoint(prefixedWithSlash).build()
        .publish(Item.stream("c", "x")));

    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getPath())
        .isEqualTo("/realm/abc/publish/");
    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getPath())
        .isEqualTo("/other/publish/");
  }

  @Test
  void publishesToEveryEndpoint() throws Exception {
    first.enqueue(new MockResponse());
    second.enqueue(new MockResponse().setResponseCode(204));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).endpoint(base(second))
        .build();

    await(publisher.publish(Item.response("c", "done")));

    byte[] expected = ItemJson.encodeItems(List.of(Item.response("c", "done")));
    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getBody().readByteArray())
        .isEqualTo(expected);
    assertThat(second.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getBody().readByteArray())
        .isEqualTo(expected);
  }

  @Test
  void anErrorStatusFailsNamingEndpointStatusAndBody() throws Exception {
    first.enqueue(new MockResponse());
    second.enqueue(new MockResponse().setResponseCode(500).setBody("Internal\u0007 error\n"));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).endpoint(base(second))
        .build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessage("publish to " + base(second) + "publish/ failed: HTTP 500: Internal? error");
    assertThat(first.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aRefusedPublishShowsTheStartOfTheAnswer() throws Exception {
    String longBody = "Invalid format: item 0: " + "x".repeat(5000);
    first.enqueue(new MockResponse().setResponseCode(400).setBody(longBody));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessage("publish to " + base(first) + "publish/ failed: HTTP 400: "
            + longBody.substring(0, HttpPublisher.MAX_BODY_CHARS) + "...");
  }

  @Test
  void everyFailingEndpointIsReported() throws Exception {
    first.enqueue(new MockResponse().setResponseCode(502));
    second.enqueue(new MockResponse().setResponseCode(503));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).endpoint(base(second))
        .build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).hasMessageContaining(base(first).toString()).hasMessageContaining("502");
    assertThat(failure.getSuppressed()).hasSize(1);
    assertThat(failure.getSuppressed()[0]).isInstanceOf(PublishException.class)
        .hasMessageContaining(base(second).toString()).hasMessageContaining("503");
  }

  @Test
  void anEndpointThatDoesNotAnswerTimesOut() throws Exception {
    first.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first))
        .timeout(Duration.ofMillis(300)).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessage("publish to " + base(first) + "publish/ timed out after 300 ms"
            + " (option timeout)");
  }

  @Test
  void aBodyThatTricklesInIsBoundedByTheTimeout() throws Exception {
    // Status and headers arrive at once; the body would take minutes at one byte per second.
    first.enqueue(new MockResponse().setResponseCode(500).setBody("x".repeat(600))
        .throttleBody(1, 1, TimeUnit.SECONDS));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first))
        .timeout(Duration.ofMillis(500)).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessageContaining("timed out after 500 ms");
  }

  @Test
  void anUnreachableEndpointFailsWithTheCause() throws Exception {
    URI closed = base(second);
    second.shutdown();
    Publisher publisher = HttpPublisher.builder().endpoint(closed).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessageStartingWith("publish to " + closed + "publish/ failed: ")
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void publishingNothingSendsNothing() throws Exception {
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).build();

    await(publisher.publish(List.of()));

    assertThat(first.getRequestCount()).isZero();
  }

  @Test
  void builderRefusesBadOptions() {
    HttpPublisher.Builder b = HttpPublisher.builder();

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one endpoint");
    assertThatThrownBy(() -> b.endpoint(URI.create("ftp://h/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint must be an absolute http or https URI with a host, was ftp://h/");
    assertThatThrownBy(() -> b.endpoint(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/relative");
    assertThatThrownBy(() -> b.endpoint(URI.create("http://u:secret@h:5561")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user info")
        .message().doesNotContain("secret");
    assertThatThrownBy(() -> b.endpoint(URI.create("http://h:5561/?iss=x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
    b.endpoint(URI.create("http://h:5561"));
    assertThatThrownBy(() -> b.endpoint(URI.create("http://h:5561/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already added");
    assertThatThrownBy(() -> b.timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> b.header("Content-Type", "text/plain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header Content-Type is set by the publisher and cannot be added");
    assertThatThrownBy(() -> b.header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    assertThatThrownBy(() -> b.header("X-A", "v\r\nX-B: w"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control characters");
  }

  @Test
  void describesItsEndpoints() {
    HttpPublisher publisher = HttpPublisher.builder().endpoint(URI.create("http://h:5561"))
        .build();

    assertThat(publisher).hasToString("HttpPublisher{endpoints=[http://h:5561/publish/],"
        + " timeout=10000 ms}");
  }

  @Test
  void excerptKeepsShortBodiesAndMarksEmptyOnes() {
    assertThat(HttpPublisher.excerpt("Published\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("Published");
    assertThat(HttpPublisher.excerpt(new byte[0])).isEqualTo("(empty body)");
  }

  @Test
  void retriesServerErrorsWithBackoffUntilOneSucceeds() throws Exception {
    first.enqueue(new MockResponse().setResponseCode(503));
    first.enqueue(new MockResponse().setResponseCode(502));
    first.enqueue(new MockResponse().setBody("Published\n"));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).retries(2)
        .retryBackoff(Duration.ofMillis(10)).build();

    await(publisher.publish(Item.stream("c", "x")));

    assertThat(first.getRequestCount()).isEqualTo(3);
  }

  @Test
  void retriesAreBoundedAndTheLastFailureSaysHowManyAttempts() throws Exception {
    for (int i = 0; i < 3; i++) {
      first.enqueue(new MockResponse().setResponseCode(500).setBody("down"));
    }
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).retries(2)
        .retryBackoff(Duration.ofMillis(10)).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).isInstanceOf(PublishException.class)
        .hasMessage("publish to " + base(first) + "publish/ failed: HTTP 500: down"
            + " (after 3 attempts)");
    assertThat(first.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aRefusedPublishIsNotRetried() throws Exception {
    first.enqueue(new MockResponse().setResponseCode(400).setBody("Invalid format."));
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).retries(3)
        .retryBackoff(Duration.ofMillis(10)).build();

    Throwable failure = failureOf(publisher.publish(Item.stream("c", "x")));

    assertThat(failure).hasMessageEndingWith("HTTP 400: Invalid format.");
    assertThat(first.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aTimeoutIsRetried() throws Exception {
    first.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    first.enqueue(new MockResponse());
    Publisher publisher = HttpPublisher.builder().endpoint(base(first)).retries(1)
        .timeout(Duration.ofMillis(300)).retryBackoff(Duration.ofMillis(10)).build();

    await(publisher.publish(Item.stream("c", "x")));

    assertThat(first.getRequestCount()).isEqualTo(2);
  }

  @Test
  void sendsBasicBearerOrSignedJwtCredentials() throws Exception {
    first.enqueue(new MockResponse());
    first.enqueue(new MockResponse());
    first.enqueue(new MockResponse());
    byte[] key = "secret".getBytes(StandardCharsets.UTF_8);

    await(HttpPublisher.builder().endpoint(base(first)).basicAuth("u", "p\u00e9").build()
        .publish(Item.stream("c", "x")));
    await(HttpPublisher.builder().endpoint(base(first)).bearerToken("tok").build()
        .publish(Item.stream("c", "x")));
    await(HttpPublisher.builder().endpoint(base(first)).jwtAuth("realm", key).build()
        .publish(Item.stream("c", "x")));

    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getHeader("Authorization"))
        .isEqualTo("Basic " + java.util.Base64.getEncoder()
            .encodeToString("u:p\u00e9".getBytes(StandardCharsets.UTF_8)));
    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getHeader("Authorization"))
        .isEqualTo("Bearer tok");
    String jwt = first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getHeader("Authorization");
    assertThat(jwt).startsWith("Bearer ");
    assertThat(dev.p8.grip.GripSig.verify(jwt.substring(7), key, "realm", java.time.Instant.now()))
        .isTrue();
  }

  @Test
  void gripUrlsCarryTheirOwnCredentialsPerEndpoint() throws Exception {
    first.enqueue(new MockResponse());
    second.enqueue(new MockResponse());
    byte[] key = "secret".getBytes(StandardCharsets.UTF_8);
    String firstUrl = base(first) + "?iss=realm&key=base64:c2VjcmV0&extra=1";
    String secondUrl = base(second).toString()
        .replace("http://", "http://user:pa%20ss@") + "prefix";
    Publisher publisher = HttpPublisher.builder().gripUrl(firstUrl).gripUrl(secondUrl).build();

    await(publisher.publish(Item.stream("c", "x")));

    RecordedRequest one = first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertThat(one.getPath()).isEqualTo("/publish/");
    String jwt = one.getHeader("Authorization").substring("Bearer ".length());
    assertThat(dev.p8.grip.GripSig.verify(jwt, key, "realm", java.time.Instant.now())).isTrue();
    RecordedRequest two = second.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertThat(two.getPath()).isEqualTo("/prefix/publish/");
    assertThat(two.getHeader("Authorization")).isEqualTo("Basic " + java.util.Base64
        .getEncoder().encodeToString("user:pa ss".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aGripUrlKeyWithoutIssIsABearerToken() throws Exception {
    first.enqueue(new MockResponse());
    await(HttpPublisher.builder().gripUrl(base(first) + "?key=abc").build()
        .publish(Item.stream("c", "x")));

    assertThat(first.takeRequest(DEADLINE_SECONDS, TimeUnit.SECONDS).getHeader("Authorization"))
        .isEqualTo("Bearer abc");
  }

  @Test
  void builderRefusesConflictingOrBadCredentials() {
    assertThatThrownBy(() -> HttpPublisher.builder().basicAuth("u", "p").bearerToken("t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bearerToken conflicts with basicAuth: set one kind of credentials");
    assertThatThrownBy(() -> HttpPublisher.builder().endpoint(URI.create("http://h"))
        .header("Authorization", "x").jwtAuth("i", new byte[] {1}).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("header(\"Authorization\", ...) conflicts with jwtAuth: set one kind of"
            + " credentials");
    assertThatThrownBy(() -> HttpPublisher.builder().gripUrl("http://h/?key=base64:%%%"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gripUrl is not a valid URI (at index 21)");
    assertThatThrownBy(() -> HttpPublisher.builder().gripUrl("http://h/?iss=r&key=base64:!!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gripUrl key is not valid base64");
    assertThatThrownBy(() -> HttpPublisher.builder().gripUrl("http://u:pw@h/?key=secretkey"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gripUrl must not give both user info and a key");
    assertThatThrownBy(() -> HttpPublisher.builder().gripUrl("ftp://h/?key=k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> HttpPublisher.builder().retries(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retries must be between 0 and 10, was 11");
    assertThatThrownBy(() -> HttpPublisher.builder().retryBackoff(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryBackoff must be positive, was PT0S");
  }

  private static URI base(MockWebServer server) {
    return server.url("/").uri();
  }

  private static void await(java.util.concurrent.CompletionStage<Void> stage) throws Exception {
    stage.toCompletableFuture().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(java.util.concurrent.CompletionStage<Void> stage)
      throws InterruptedException, TimeoutException {
    CompletableFuture<Void> future = stage.toCompletableFuture();
    try {
      future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("publish succeeded but should have failed");
  }
}
