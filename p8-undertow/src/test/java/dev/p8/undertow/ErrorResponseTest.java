package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pushpin's error answers, byte for byte where Pushpin fixes them (proxysession.cpp,
 * requestsession.cpp, condure's connection.rs): status line, {@code Content-Type: text/plain},
 * the text and a newline. Real P8 servers, a real backend, raw sockets.
 */
class ErrorResponseTest {

  private static final MockWebServer backend = new MockWebServer();
  private static int deadPort;
  private static P8Server quiet;
  private static P8Server debug;

  @BeforeAll
  static void start() throws IOException {
    MockWebServer dead = new MockWebServer();
    dead.start();
    deadPort = dead.getPort();
    dead.shutdown();
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if (path.endsWith("/bad-instruct")) {
          return new MockResponse().setHeader("Grip-Hold", "forever").setHeader("Grip-Channel", "c");
        }
        if (path.endsWith("/hold")) {
          return new MockResponse().setHeader("Grip-Hold", "response").setHeader("Grip-Channel", "c")
              .setBody("timeout\n");
        }
        return new MockResponse().setBody("ok\n");
      }
    });
    backend.start();
    quiet = server(false);
    debug = server(true);
  }

  private static P8Server server(boolean debugMode) {
    return P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .route("*,path_beg=/dead 127.0.0.1:" + deadPort)
        .route("*,path_beg=/route-debug,debug 127.0.0.1:" + deadPort)
        .route("*,path_beg=/b 127.0.0.1:" + backend.getPort())
        .debug(debugMode)
        .build()
        .start();
  }

  @AfterAll
  static void stop() throws IOException {
    quiet.close();
    debug.close();
    backend.shutdown();
  }

  /** One answer read off a raw socket: status line, headers by lower-case name, body. */
  record Answer(String statusLine, Map<String, String> headers, String body) { }

  static Answer exchange(P8Server p8, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", p8.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request);
      return read(socket.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) != -1) {
        all.write(buf, 0, n);
      }
    } catch (SocketException e) {
      // a reset after the answer: what was read is the answer
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    assertThat(end).as("an HTTP answer, got: %s", text).isPositive();
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
    }
    return new Answer(lines[0], headers, text.substring(end + 4));
  }

  private static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static Stream<Arguments> cases() {
    String unreachable = "Unable to connect to any targets. Tried: 127.0.0.1:";
    return Stream.of(
        Arguments.of("no route", false, "/nowhere", "HTTP/1.1 502 Bad Gateway", "Route not found\n"),
        Arguments.of("no route, debug", true, "/nowhere", "HTTP/1.1 502 Bad Gateway", "Route not found\n"),
        Arguments.of("unreachable", false, "/dead", "HTTP/1.1 502 Bad Gateway", "Error while proxying to origin.\n"),
        Arguments.of("unreachable, debug", true, "/dead", "HTTP/1.1 502 Bad Gateway", unreachable + "PORT\n"),
        Arguments.of("unreachable, route debug", false, "/route-debug", "HTTP/1.1 502 Bad Gateway",
            unreachable + "PORT\n"),
        Arguments.of("bad instructions", false, "/b/bad-instruct", "HTTP/1.1 502 Bad Gateway",
            "Error while proxying to origin.\n"),
        Arguments.of("bad instructions, debug", true, "/b/bad-instruct", "HTTP/1.1 502 Bad Gateway",
            "Failed to parse accept instructions: *"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void pushpinsErrorAnswers(String name, boolean debugMode, String path, String status, String body) throws Exception {
    Answer a = exchange(debugMode ? debug : quiet, get(path));
    assertThat(a.statusLine()).isEqualTo(status);
    assertThat(a.headers()).containsEntry("content-type", "text/plain");
    assertThat(a.headers().keySet()).containsOnly("content-type", "content-length", "connection");
    assertThat(a.headers().get("content-length")).isEqualTo(String.valueOf(a.body().length()));
    if (body.endsWith("*")) {
      assertThat(a.body()).startsWith(body.substring(0, body.length() - 1)).endsWith("\n");
    } else {
      assertThat(a.body()).isEqualTo(body.replace("PORT", String.valueOf(deadPort)));
    }
  }

  /** A request head of exactly {@code size} bytes: the padding goes in one header. */
  private static byte[] headOfSize(int size) {
    String start = "GET /b/plain HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nX-Pad: ";
    int pad = size - start.length() - 4;
    return (start + "a".repeat(pad) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aHeadOverClientBufferSizeIs400WithCondureTextAndOthersAreStillServed() throws Exception {
    Answer fits = exchange(quiet, headOfSize(8192));
    assertThat(fits.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(fits.body()).isEqualTo("ok\n");

    Answer over = exchange(quiet, headOfSize(8193));
    assertThat(over.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(over.headers()).containsOnly(Map.entry("content-type", "text/plain"),
        Map.entry("connection", "close"), Map.entry("content-length", "50"));
    assertThat(over.body()).isEqualTo("Request header size exceeded limit of 8192 bytes.\n");

    assertThat(exchange(quiet, get("/b/plain")).body()).isEqualTo("ok\n");
  }

  @Test
  void aHeadFarOverTheLimitIsRefusedByUndertowAndOthersAreStillServed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", quiet.port())) {
      socket.setSoTimeout(10_000);
      try {
        socket.getOutputStream().write(headOfSize(200_000));
      } catch (SocketException e) {
        // cut off while still sending: the expected outcome
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try {
        in.transferTo(got);
      } catch (SocketException e) {
        // reset
      }
      // Undertow's own refusal: no text, but the connection is closed and no one else notices.
      assertThat(got.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }
    assertThat(exchange(quiet, get("/b/plain")).body()).isEqualTo("ok\n");
  }

  @Test
  void theLimitIsAnOptionAndSaysItsValue() throws Exception {
    try (P8Server small = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort())
        .limits(Limits.builder().maxRequestHeaderBytes(1024).build()).build().start()) {
      Answer over = exchange(small, headOfSize(1025));
      assertThat(over.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(over.body()).isEqualTo("Request header size exceeded limit of 1024 bytes.\n");
      assertThat(exchange(small, headOfSize(1024)).statusLine()).isEqualTo("HTTP/1.1 200 OK");
    }
  }

  @Test
  void aBodyThatArrivesWithASmallHeadIsNotMistakenForALargeHead() throws Exception {
    // Undertow counts body bytes of the same read against its header limit.
    String body = "b".repeat(12_000);
    byte[] request = ("POST /b/plain HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    Answer a = exchange(quiet, request);
    assertThat(a.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(a.body()).isEqualTo("ok\n");
  }

  @Test
  void aRequestBodyTooLargeToHoldIs400() throws Exception {
    String body = "b".repeat(Limits.DEFAULT_MAX_HELD_REQUEST_BODY_BYTES + 1);
    byte[] request = ("POST /b/hold HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    Answer a = exchange(debug, request);
    assertThat(a.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(a.headers()).containsEntry("content-type", "text/plain");
    assertThat(a.body()).isEqualTo("Request too large to accept GRIP instruct.\n");
    await("nothing held", () -> debug.heldConnections() == 0 && debug.subscriptions() == 0);
  }

  @Test
  void aChunkedRequestBodyTooLargeToHoldIs400() throws Exception {
    int size = Limits.DEFAULT_MAX_HELD_REQUEST_BODY_BYTES + 10;
    StringBuilder chunked = new StringBuilder();
    for (int left = size; left > 0; left -= 10_000) {
      int n = Math.min(10_000, left);
      chunked.append(Integer.toHexString(n)).append("\r\n").append("c".repeat(n)).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    byte[] request = ("POST /b/hold HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n" + chunked).getBytes(StandardCharsets.US_ASCII);
    Answer a = exchange(quiet, request);
    assertThat(a.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(a.body()).isEqualTo("Request too large to accept GRIP instruct.\n");
  }
}
