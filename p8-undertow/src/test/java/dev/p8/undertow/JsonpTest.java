package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON-P on auto cross-origin routes, end to end: real P8, a real backend, a real client. */
class JsonpTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private P8Server p8;

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if (path.startsWith("/poll")) {
          return new MockResponse().setHeader("Content-Type", "text/plain").setHeader("Grip-Hold", "response")
              .setHeader("Grip-Channel", "jp").setBody("timeout\n");
        }
        if (path.startsWith("/basic/echo")) {
          return new MockResponse().setHeader("Content-Type", "text/plain").setHeader("Cache-Control", "no-cache")
              .setBody("ok\n");
        }
        return new MockResponse().setHeader("Content-Type", "application/json").setHeader("X-Custom", "y")
            .setBody("{\"a\":\"\u00e9\"}\n");
      }
    });
    backend.start();
    String target = " 127.0.0.1:" + backend.getPort();
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .controlListener("127.0.0.1", 0)
        .route("*,aco" + target)
        .route("*,aco,path_beg=/basic,jsonp_mode=basic" + target)
        .route("*,path_beg=/plain" + target)
        .build()
        .start();
  }

  @AfterEach
  void tearDown() throws IOException {
    p8.close();
    backend.shutdown();
  }

  private Response get(String path) throws IOException {
    return client.newCall(new Request.Builder().url(p8.url() + path).build()).execute();
  }

  @Test
  void extendedModeWrapsTheWholeResponse() throws Exception {
    try (Response r = get("/data?x=1&callback=cb")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/javascript");
      assertThat(r.header("X-Custom")).isNull();
      assertThat(r.body().string()).isEqualTo("/**/cb({\"code\": 200, \"reason\": \"OK\", \"headers\": "
          + "{\"Content-Type\":\"application/json\",\"X-Custom\":\"y\"}, \"body\": \"{\\\"a\\\":\\\"\u00e9\\\"}\\n\"});\n");
    }
    RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
    assertThat(seen.getMethod()).isEqualTo("GET");
    assertThat(seen.getPath()).isEqualTo("/data?x=1");
    assertThat(seen.getHeader("Accept")).isEqualTo("*/*");
  }

  @Test
  void basicModeSendsTheDescribedRequestAndWrapsTheBody() throws Exception {
    try (Response r = get("/basic/echo?callback=f&_method=PUT&_headers=%7B%22X-A%22%3A%22b%22%2C%22Grip-Hold%22%3A%22stream%22%7D&_body=hello%20there")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
      assertThat(r.body().string()).isEqualTo("/**/f(ok);\n");
    }
    RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
    assertThat(seen.getMethod()).isEqualTo("PUT");
    assertThat(seen.getPath()).isEqualTo("/basic/echo");
    assertThat(seen.getHeader("X-A")).isEqualTo("b");
    assertThat(seen.getHeader("Grip-Hold")).as("a client cannot speak GRIP through _headers").isNull();
    assertThat(seen.getBody().readUtf8()).isEqualTo("hello there");
  }

  @Test
  void unusableParametersGetPushpinsAnswers() throws Exception {
    String[][] cases = {
        {"/data?callback=", "Invalid callback parameter.\n"},
        {"/data?callback=cb&_method=GE%20T", "Invalid _method parameter.\n"},
        {"/data?callback=cb&_headers=%5B1%5D", "Invalid _headers parameter.\n"},
        {"/data?callback=cb&_headers=%7B%22a%22%3A1%7D", "Invalid _headers parameter.\n"},
    };
    for (String[] c : cases) {
      try (Response r = get(c[0])) {
        assertThat(r.code()).as(c[0]).isEqualTo(400);
        assertThat(r.body().string()).as(c[0]).isEqualTo(c[1]);
      }
    }
    assertThat(backend.getRequestCount()).as("nothing reached the backend").isZero();
  }

  @Test
  void withoutAutoCrossOriginTheCallbackIsJustAParameter() throws Exception {
    try (Response r = get("/plain/data?callback=cb")) {
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.body().string()).isEqualTo("{\"a\":\"\u00e9\"}\n");
    }
    assertThat(backend.takeRequest(10, TimeUnit.SECONDS).getPath()).isEqualTo("/plain/data?callback=cb");
  }

  @Test
  void aHeldLongPollIsWrappedWhenItsPublishArrives() throws Exception {
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return get("/poll?callback=cb");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    await("the long-poll to subscribe", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.builder("jp").httpResponse(HttpResponseFormat.builder().code(201)
        .header("X-Pub", "1").body("hi\n").build()).build());
    try (Response r = answer.get(10, TimeUnit.SECONDS)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/javascript");
      assertThat(r.body().string()).isEqualTo("/**/cb({\"body\":\"hi\\n\",\"code\":201,"
          + "\"headers\":{\"Content-Type\":\"text/plain\",\"X-Pub\":\"1\"},\"reason\":\"Created\"});\n");
    }
  }
}
