package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.internal.sig.SigKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What P8 adds toward the backend (GRIP.md 1.3), routes chosen by header, and routes reload. */
class ForwardingTest {

  private final MockWebServer backend = new MockWebServer();
  private final MockWebServer other = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private P8Server p8;

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() throws IOException {
    backend.start();
    other.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
    other.shutdown();
  }

  private void start(P8Server.Builder builder) {
    p8 = builder.listen("127.0.0.1", 0).noControlListener().build().start();
  }

  private String backendRoute() {
    return "* 127.0.0.1:" + backend.getPort();
  }

  private Response call(String path, String... headers) throws IOException {
    Request.Builder r = new Request.Builder().url(p8.url() + path);
    for (int i = 0; i < headers.length; i += 2) {
      r.addHeader(headers[i], headers[i + 1]);
    }
    return client.newCall(r.build()).execute();
  }

  private RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("request reached the backend").isNotNull();
    return r;
  }

  @Test
  void byDefaultForwardedHeadersPassUntouchedAndGripFeatureIsSent() throws Exception {
    start(P8Server.builder().route(backendRoute()));
    backend.enqueue(new MockResponse());

    call("/", "X-Forwarded-For", "1.1.1.1", "X-Forwarded-Proto", "https", "CDN-Loop", "a").close();

    RecordedRequest seen = take(backend);
    assertThat(seen.getHeader("X-Forwarded-For")).isEqualTo("1.1.1.1");
    assertThat(seen.getHeader("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(seen.getHeader("CDN-Loop")).isEqualTo("a");
    assertThat(seen.getHeader("Grip-Feature")).isEqualTo("status, link:next, link:gone");
    assertThat(seen.getHeader("Grip-Sig")).isNull();
  }

  @Test
  void xForwardedForRulesTruncateAndAppend() throws Exception {
    start(P8Server.builder().route(backendRoute()).xForwardedFor("truncate:1,append"));
    backend.enqueue(new MockResponse());
    backend.enqueue(new MockResponse());

    call("/", "X-Forwarded-For", "1.1.1.1, 2.2.2.2", "X-Forwarded-For", "3.3.3.3").close();
    call("/").close();

    assertThat(take(backend).getHeader("X-Forwarded-For")).isEqualTo("3.3.3.3, 127.0.0.1");
    assertThat(take(backend).getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
  }

  @Test
  void webSocketOverHttpRequestsFollowTheSameRules() throws Exception {
    start(P8Server.builder().route(backendRoute() + ",over_http").xForwardedFor("truncate:1,append")
        .cdnLoop("p8"));
    backend.enqueue(new MockResponse().setHeader("Content-Type", "application/websocket-events")
        .setHeader("Sec-WebSocket-Extensions", "grip").setBody("OPEN\r\n"));
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .header("X-Forwarded-For", "9.9.9.9")
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + p8.port() + "/ws"), new java.net.http.WebSocket.Listener() { })
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    RecordedRequest open = take(backend);
    assertThat(open.getHeader("X-Forwarded-For")).isEqualTo("9.9.9.9, 127.0.0.1");
    assertThat(open.getHeader("CDN-Loop")).isEqualTo("p8");
    ws.abort();
  }

  @Test
  void truncateZeroDropsTheHeader() throws Exception {
    start(P8Server.builder().route(backendRoute()).xForwardedFor("truncate:0"));
    backend.enqueue(new MockResponse());

    call("/", "X-Forwarded-For", "1.1.1.1").close();

    assertThat(take(backend).getHeader("X-Forwarded-For")).isNull();
  }

  @Test
  void acceptedForwardedProtoCountsAsTlsForRoutesAndIsSetAgain() throws Exception {
    start(P8Server.builder()
        .route("*,ssl=yes 127.0.0.1:" + backend.getPort())
        .route("*,ssl=no 127.0.0.1:" + other.getPort())
        .acceptXForwardedProto(true).setXForwardedProto("true"));
    backend.enqueue(new MockResponse());
    other.enqueue(new MockResponse());

    call("/", "X-Forwarded-Proto", "https").close();
    call("/", "X-Forwarded-Proto", "http", "X-Forwarded-Protocol", "https").close();

    RecordedRequest tls = take(backend);
    assertThat(tls.getHeader("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(tls.getHeader("X-Forwarded-Protocol")).isEqualTo("https");
    RecordedRequest plain = take(other);
    assertThat(plain.getHeader("X-Forwarded-Proto")).as("client's header removed").isNull();
    assertThat(plain.getHeader("X-Forwarded-Protocol")).isNull();
  }

  @Test
  void cdnLoopIsAppended() throws Exception {
    start(P8Server.builder().route(backendRoute()).cdnLoop("p8"));
    backend.enqueue(new MockResponse());
    backend.enqueue(new MockResponse());

    call("/", "CDN-Loop", "a, b", "CDN-Loop", "c").close();
    call("/").close();

    assertThat(take(backend).getHeader("CDN-Loop")).isEqualTo("a, b, c, p8");
    assertThat(take(backend).getHeader("CDN-Loop")).isEqualTo("p8");
  }

  @Test
  void signsWithAnEcKeyFromAPemFile() throws Exception {
    Path key = Path.of(getClass().getResource("ec-pkcs8.pem").toURI());
    Path publicKey = key.resolveSibling("ec-public.pem");
    start(P8Server.builder().route(backendRoute()).signing("me", "file:" + key));
    backend.enqueue(new MockResponse());

    call("/").close();

    String token = take(backend).getHeader("Grip-Sig");
    assertThat(SigKey.fromConfig("file:" + publicKey, dir).verify(token, Instant.now())).isTrue();
    assertThat(SigKey.fromConfig("file:" + publicKey, dir).algorithm()).isEqualTo(SigKey.Algorithm.ES256);
  }

  @Test
  void aTrustedUpstreamProxyGetsGripPassedThrough() throws Exception {
    start(P8Server.builder().route(backendRoute()).signing("p8", "downstream-key")
        .upstreamKey("upstream-key").xForwardedFor("truncate:0").xForwardedForTrusted("append"));
    String upstreamSig = SigKey.secret("upstream-key".getBytes(StandardCharsets.UTF_8))
        .sign("upstream", Instant.now());
    backend.enqueue(new MockResponse().setHeader("Grip-Hold", "response")
        .setHeader("Grip-Channel", "c").setBody("for the upstream proxy"));

    try (Response r = call("/", "Grip-Sig", upstreamSig, "Grip-Last", "c; last-id=1",
        "X-Forwarded-For", "9.9.9.9")) {
      assertThat(r.header("Grip-Hold")).isEqualTo("response");
      assertThat(r.header("Grip-Channel")).isEqualTo("c");
      assertThat(r.body().string()).isEqualTo("for the upstream proxy");
    }
    RecordedRequest seen = take(backend);
    assertThat(seen.getHeader("Grip-Sig")).as("the upstream's token, not P8's").isEqualTo(upstreamSig);
    assertThat(seen.getHeader("Grip-Last")).isEqualTo("c; last-id=1");
    assertThat(seen.getHeader("Grip-Feature")).isNull();
    assertThat(seen.getHeader("X-Forwarded-For")).isEqualTo("9.9.9.9, 127.0.0.1");
    assertThat(p8.heldConnections()).isZero();
  }

  @Test
  void aForgedUpstreamSignatureIsAnOrdinaryClient() throws Exception {
    start(P8Server.builder().route(backendRoute()).signing("p8", "downstream-key")
        .upstreamKey("upstream-key"));
    String forged = SigKey.secret("guess".getBytes(StandardCharsets.UTF_8)).sign("x", Instant.now());
    backend.enqueue(new MockResponse());

    call("/", "Grip-Sig", forged, "Grip-Last", "c; last-id=1").close();

    RecordedRequest seen = take(backend);
    assertThat(seen.getHeader("Grip-Sig")).isNotEqualTo(forged);
    assertThat(SigKey.secret("downstream-key".getBytes(StandardCharsets.UTF_8))
        .verify(seen.getHeader("Grip-Sig"), Instant.now())).isTrue();
    assertThat(seen.getHeader("Grip-Last")).isNull();
  }

  @Test
  void pushpinRouteHeaderPicksARouteById() throws Exception {
    start(P8Server.builder()
        .route(backendRoute())
        .route("id=special,path_beg=/s 127.0.0.1:" + other.getPort())
        .acceptPushpinRoute(true));
    other.enqueue(new MockResponse().setBody("special"));
    backend.enqueue(new MockResponse().setBody("plain"));

    try (Response r = call("/s/x", "Pushpin-Route", "special")) {
      assertThat(r.body().string()).isEqualTo("special");
    }
    try (Response r = call("/x", "Pushpin-Route", "special")) {
      assertThat(r.code()).as("path_beg still applies").isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("Route not found\n");
    }
    try (Response r = call("/s/x")) {
      assertThat(r.body().string()).isEqualTo("plain");
    }
    assertThat(take(other).getHeader("Pushpin-Route")).isNull();
  }

  @Test
  void pushpinRouteHeaderIsIgnoredUnlessAccepted() throws Exception {
    start(P8Server.builder().route(backendRoute()).route("id=special 127.0.0.1:" + other.getPort()));
    backend.enqueue(new MockResponse().setBody("plain"));

    try (Response r = call("/", "Pushpin-Route", "special")) {
      assertThat(r.body().string()).isEqualTo("plain");
    }
    assertThat(take(backend).getHeader("Pushpin-Route")).isEqualTo("special");
  }

  @Test
  void routesFileIsReloadedWhenItChangesAndABadVersionKeepsTheOld() throws Exception {
    Path routes = dir.resolve("routes");
    writeRoutes(routes, "* 127.0.0.1:" + backend.getPort() + "\n", 0);
    start(P8Server.builder().routesFile(routes));
    backend.setDispatcher(new Always("old"));
    other.setDispatcher(new Always("new"));
    assertThat(body("/")).isEqualTo("old");

    writeRoutes(routes, "* 127.0.0.1:" + other.getPort() + "\n", 1);
    await("the new routes file to be in force", () -> body("/").equals("new"));

    writeRoutes(routes, "* 127.0.0.1:" + backend.getPort() + "\n* 127.0.0.1:1 # duplicate\n"
        + "*,bad=\"unterminated 127.0.0.1:1\n", 2);
    // RoutesFileWatcherTest proves a bad version is refused; here it must not disturb serving.
    for (int i = 0; i < 3; i++) {
      assertThat(body("/")).isEqualTo("new");
    }
    writeRoutes(routes, "* 127.0.0.1:" + backend.getPort() + "\n", 3);
    await("the fixed routes file to be in force", () -> body("/").equals("old"));
  }

  private String body(String path) {
    try (Response r = call(path)) {
      return r.body().string();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void writeRoutes(Path file, String text, int second) throws IOException {
    Path staged = file.resolveSibling("routes.tmp");
    Files.writeString(staged, text);
    Files.setLastModifiedTime(staged, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + second)));
    Files.move(staged, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static final class Always extends okhttp3.mockwebserver.Dispatcher {
    private final String text;

    Always(String text) {
      this.text = text;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      return new MockResponse().setBody(text);
    }
  }
}
