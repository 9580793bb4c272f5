package dev.p8.undertow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.grip.GripSig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain proxying: what passes, what is cleaned, and what a failing backend looks like. */
class ProxyTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private P8Server p8;

  @BeforeEach
  void setUp() throws IOException {
    backend.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
  }

  private P8Server start(P8Server.Builder builder) {
    p8 = builder.listen("127.0.0.1", 0).noControlListener().build().start();
    return p8;
  }

  private P8Server startDefault() {
    return start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()));
  }

  private Response get(String path) throws IOException {
    return client.newCall(new Request.Builder().url(p8.url() + path).build()).execute();
  }

  @Test
  void relaysAnOrdinaryResponseUnchanged() throws Exception {
    startDefault();
    backend.enqueue(new MockResponse().setResponseCode(201).setHeader("X-Backend", "yes").setBody("hello"));

    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/a/b?x=1&y=%20")
        .header("X-Client", "c").header("Grip-Sig", "forged").header("Grip-Hold", "stream").build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
      assertThat(r.header("X-Backend")).isEqualTo("yes");
      assertThat(r.body().string()).isEqualTo("hello");
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getPath()).isEqualTo("/a/b?x=1&y=%20");
    assertThat(seen.getHeader("X-Client")).isEqualTo("c");
    assertThat(seen.getHeader("Host")).isEqualTo("127.0.0.1:" + p8.port());
    // The client's Grip-* are dropped; P8's own Grip-Feature announces what it supports.
    assertThat(seen.getHeaders().names()).filteredOn(n -> n.toLowerCase().startsWith("grip-"))
        .containsExactly("Grip-Feature");
  }

  /**
   * Undertow's client never wakes the reader of a complete response, so a connection released
   * from there leaked, one per request. MockWebServer's timing hid it; an Undertow backend shows it.
   */
  @Test
  void reusesBackendConnections() throws Exception {
    java.util.Set<Object> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    io.undertow.Undertow undertow = io.undertow.Undertow.builder().addHttpListener(0, "127.0.0.1")
        .setHandler(exchange -> {
          connections.add(exchange.getConnection());
          exchange.getResponseSender().send("response");
        }).build();
    undertow.start();
    try {
      int port = ((java.net.InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
      start(P8Server.builder().route("* 127.0.0.1:" + port));
      for (int i = 0; i < 30; i++) {
        try (Response r = get("/reuse/" + i)) {
          assertThat(r.body().string()).isEqualTo("response");
        }
      }
      assertThat(connections).as("backend connections opened for 30 requests").hasSizeLessThanOrEqualTo(2);
    } finally {
      undertow.stop();
    }
  }

  @Test
  void keepsAsManyIdleBackendConnectionsAsTheLimitSays() throws Exception {
    // Four requests at a time, twice: the second burst finds the connections of the first
    // idle in the pool, up to the limit, and opens the rest again.
    assertThat(backendConnectionsForTwoBursts(Limits.builder().build())).isEqualTo(4);
    assertThat(backendConnectionsForTwoBursts(Limits.builder().maxIdleBackendConnections(1).build()))
        .isEqualTo(4 + 3);
  }

  private int backendConnectionsForTwoBursts(Limits limits) throws Exception {
    int burst = 4;
    java.util.Set<Object> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(burst);
    io.undertow.Undertow undertow = io.undertow.Undertow.builder().addHttpListener(0, "127.0.0.1")
        .setHandler(exchange -> {
          connections.add(exchange.getConnection());
          // Answered only once the whole burst is in, so each request holds its own connection.
          exchange.dispatch(() -> {
            try {
              together.await(10_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
              exchange.setStatusCode(500);
            }
            exchange.getResponseSender().send("response");
          });
        }).build();
    undertow.start();
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(burst);
    try {
      int port = ((java.net.InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
      start(P8Server.builder().route("* 127.0.0.1:" + port).ioThreads(1).limits(limits));
      for (int round = 0; round < 2; round++) {
        java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < burst; i++) {
          answers.add(clients.submit(() -> {
            try (Response r = get("/burst")) {
              return r.code() + " " + r.body().string();
            }
          }));
        }
        for (java.util.concurrent.Future<String> a : answers) {
          assertThat(a.get(10_000, TimeUnit.MILLISECONDS)).isEqualTo("200 response");
        }
      }
      return connections.size();
    } finally {
      clients.shutdownNow();
      p8.close();
      p8 = null;
      undertow.stop();
    }
  }

  @Test
  void streamsLargeBodiesBothWays() throws Exception {
    startDefault();
    byte[] big = new byte[8 * 1024 * 1024];
    new Random(42).nextBytes(big);
    backend.enqueue(new MockResponse().setBody(new Buffer().write(big)));

    try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/upload")
        .post(RequestBody.create(big, MediaType.get("application/octet-stream"))).build()).execute()) {
      assertThat(r.body().bytes()).isEqualTo(big);
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getMethod()).isEqualTo("POST");
    assertThat(seen.getBody().readByteArray()).isEqualTo(big);
  }

  @Test
  void everyMethodIsProxied() throws Exception {
    startDefault();
    for (String method : new String[] {"PUT", "DELETE", "PATCH", "OPTIONS"}) {
      backend.enqueue(new MockResponse().setBody(method.toLowerCase()));
      RequestBody body = method.equals("DELETE") || method.equals("OPTIONS") ? null
          : RequestBody.create("x", MediaType.get("text/plain"));
      try (Response r = client.newCall(new Request.Builder().url(p8.url() + "/m").method(method, body).build()).execute()) {
        assertThat(r.body().string()).isEqualTo(method.toLowerCase());
      }
      assertThat(backend.takeRequest(5, TimeUnit.SECONDS).getMethod()).isEqualTo(method);
    }
  }

  @Test
  void keepsBackendConnectionsAlive() throws Exception {
    startDefault();
    for (int i = 0; i < 20; i++) {
      backend.enqueue(new MockResponse().setBody("r" + i));
      try (Response r = get("/k")) {
        assertThat(r.body().string()).isEqualTo("r" + i);
      }
    }
    assertThat(backend.getRequestCount()).isEqualTo(20);
  }

  @Test
  void signsBackendRequestsWhenAKeyIsSet() throws Exception {
    start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()).signing("p8-test", "s3cret"));
    backend.enqueue(new MockResponse().setBody("ok"));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(200);
    }
    String token = backend.takeRequest(5, TimeUnit.SECONDS).getHeader("Grip-Sig");
    assertThat(token).isNotNull();
    assertThat(GripSig.verify(token, "s3cret".getBytes(StandardCharsets.UTF_8), "p8-test", Instant.now())).isTrue();
    assertThat(GripSig.verify(token, "other".getBytes(StandardCharsets.UTF_8), Instant.now())).isFalse();
  }

  @Test
  void unreachableBackendIs502WithAPlainReason() throws Exception {
    int deadPort = backend.getPort();
    backend.shutdown();
    start(P8Server.builder().route("* 127.0.0.1:" + deadPort));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.header("Content-Type")).startsWith("text/plain");
      assertThat(r.body().string()).isEqualTo("Error while proxying to origin.\n");
    }
  }

  @Test
  void debugModeSaysWhichTargetsWereTried() throws Exception {
    int deadPort = backend.getPort();
    backend.shutdown();
    start(P8Server.builder().route("* 127.0.0.1:" + deadPort).debug(true));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Unable to connect to any targets. Tried: 127.0.0.1:" + deadPort + "\n");
    }
  }

  @Test
  void failsOverToTheNextTarget() throws Exception {
    MockWebServer dead = new MockWebServer();
    dead.start();
    int deadPort = dead.getPort();
    dead.shutdown();
    start(P8Server.builder().route("* 127.0.0.1:" + deadPort + " 127.0.0.1:" + backend.getPort()));
    backend.enqueue(new MockResponse().setBody("second"));
    try (Response r = get("/")) {
      assertThat(r.body().string()).isEqualTo("second");
    }
  }

  @Test
  void aSilentBackendTimesOutWith502() throws Exception {
    start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()).backendTimeout(Duration.ofMillis(300)));
    backend.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Error while proxying to origin.\n");
    }
  }

  @Test
  void noMatchingRouteIs502RouteNotFound() throws Exception {
    start(P8Server.builder().route("*,path_beg=/api 127.0.0.1:" + backend.getPort()));
    try (Response r = get("/other")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Route not found\n");
    }
  }

  @Test
  void theLongestPathPrefixWins() throws Exception {
    MockWebServer api = new MockWebServer();
    api.start();
    try {
      start(P8Server.builder()
          .route("* 127.0.0.1:" + backend.getPort())
          .route("*,path_beg=/api 127.0.0.1:" + api.getPort()));
      api.enqueue(new MockResponse().setBody("api"));
      backend.enqueue(new MockResponse().setBody("default"));
      try (Response r = get("/api/x")) {
        assertThat(r.body().string()).isEqualTo("api");
      }
      try (Response r = get("/x")) {
        assertThat(r.body().string()).isEqualTo("default");
      }
    } finally {
      api.shutdown();
    }
  }

  @Test
  void invalidGripInstructionsAre502AndDebugNamesTheHeader() throws Exception {
    start(P8Server.builder().route("* 127.0.0.1:" + backend.getPort()).debug(true));
    backend.enqueue(new MockResponse().setHeader("Grip-Hold", "forever").setHeader("Grip-Channel", "c"));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).startsWith("Failed to parse accept instructions: ").contains("Grip-Hold");
    }
    assertThat(p8.heldConnections()).isZero();
  }

  @Test
  void aResponseWithGripHeadersButNoHoldIsRelayedWithoutThem() throws Exception {
    startDefault();
    backend.enqueue(new MockResponse().setHeader("Grip-Channel", "c").setHeader("X-Other", "1").setBody("plain"));
    try (Response r = get("/")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Grip-Channel")).isNull();
      assertThat(r.header("X-Other")).isEqualTo("1");
      assertThat(r.body().string()).isEqualTo("plain");
    }
  }
}
