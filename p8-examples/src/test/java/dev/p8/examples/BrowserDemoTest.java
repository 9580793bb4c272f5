package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo page in a real headless Chromium: its EventSource, its long-poll fetch loop and its
 * WebSocket each show a message published from Java, and a message the page sends over its
 * WebSocket comes back on all three. The browser is driven over the DevTools protocol.
 *
 * <p>Tagged {@code browser}; skipped, with a message, when no Chromium is installed (CI
 * installs it: see {@code .ci/run}). Set {@code P8_CHROMIUM} to use another binary.
 */
@Tag("browser")
class BrowserDemoTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final HttpClient http = HttpClient.newHttpClient();
  private P8Main.Demo demo;
  private Process chromium;
  private Path profile;
  private WebSocket devtools;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, BlockingQueue<JsonNode>> replies = new ConcurrentHashMap<>();

  private static Path chromiumBinary() {
    String override = System.getenv("P8_CHROMIUM");
    if (override != null && !override.isBlank()) {
      return Paths.get(override);
    }
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Paths.get(candidate))) {
        return Paths.get(candidate);
      }
    }
    return null;
  }

  @BeforeEach
  void start() throws Exception {
    Path binary = chromiumBinary();
    assumeTrue(binary != null && Files.isExecutable(binary),
        "no Chromium at /usr/bin/chromium (install the Debian package 'chromium', or set P8_CHROMIUM);"
            + " skipping the browser test of the demo");
    demo = P8Main.Demo.start("127.0.0.1", 0, 0);
    profile = Files.createTempDirectory("p8-chromium");
    chromium = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
        "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile,
        "http://127.0.0.1:" + demo.proxy().port() + "/")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    String browserEndpoint = devToolsEndpoint(chromium);
    URI listUri = URI.create("http://" + URI.create(browserEndpoint).getAuthority() + "/json/list");
    String pageEndpoint = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pageEndpoint == null) {
      for (JsonNode target : JSON.readTree(http.send(HttpRequest.newBuilder(listUri).build(),
          HttpResponse.BodyHandlers.ofString()).body())) {
        if (target.path("type").asText().equals("page")
            && target.path("url").asText().startsWith("http://127.0.0.1:")) {
          pageEndpoint = target.path("webSocketDebuggerUrl").asText();
        }
      }
      if (pageEndpoint == null && System.nanoTime() > deadline) {
        throw new AssertionError("Chromium never listed the demo page at " + listUri);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    devtools = http.newWebSocketBuilder().buildAsync(URI.create(pageEndpoint), new Replies()).join();
  }

  /** Reads Chromium's stderr until it says where DevTools listens; keeps draining it after. */
  private static String devToolsEndpoint(Process process) throws InterruptedException {
    BlockingQueue<String> found = new LinkedBlockingQueue<>();
    List<String> seen = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = err.readLine()) != null; ) {
          synchronized (seen) {
            seen.add(line);
          }
          Matcher m = DEVTOOLS.matcher(line);
          if (m.find()) {
            found.add(m.group(1));
          }
        }
      } catch (IOException e) {
        // The process ended; the poll below reports it.
      }
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    String endpoint = found.poll(30, TimeUnit.SECONDS);
    if (endpoint == null) {
      synchronized (seen) {
        throw new AssertionError("Chromium did not start DevTools within 30 s; its stderr: " + seen);
      }
    }
    return endpoint;
  }

  @AfterEach
  void stop() throws Exception {
    if (devtools != null) {
      devtools.abort();
    }
    if (chromium != null) {
      chromium.descendants().forEach(ProcessHandle::destroy);
      chromium.destroy();
      if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
        chromium.descendants().forEach(ProcessHandle::destroyForcibly);
        chromium.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (demo != null) {
      demo.close();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void eachTransportOnThePageShowsWhatIsPublished() throws Exception {
    // The page's EventSource, its long-poll and its WebSocket.
    await("the page to subscribe three times", () -> demo.proxy().subscriptions() == 3);

    demo.proxy().publisher().publish(DemoBackend.message("published from Java"));
    awaitOnPage("published from Java");

    await("the long-poll to come back", () -> demo.proxy().subscriptions() == 3);
    evaluate("ws.send('typed in the browser')");
    awaitOnPage("(websocket) typed in the browser");
  }

  /** Waits until the SSE, long-poll and WebSocket lists of the page each show {@code text}. */
  private void awaitOnPage(String text) throws Exception {
    String expression = "['sse','poll','ws'].map(id => [...document.querySelectorAll('#' + id + ' li')]"
        + ".some(li => li.textContent.endsWith(" + JSON.writeValueAsString(text) + ")))"
        + ".join(',')";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String shown;
    while (!(shown = evaluate(expression)).equals("true,true,true")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the page shows '" + text + "' on [SSE, long-poll, WebSocket]: ["
            + shown + "]; page text: " + evaluate("document.body.innerText"));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private String evaluate(String expression) throws Exception {
    int id = ids.incrementAndGet();
    BlockingQueue<JsonNode> reply = new LinkedBlockingQueue<>();
    replies.put(id, reply);
    devtools.sendText(JSON.writeValueAsString(Map.of("id", id, "method", "Runtime.evaluate",
        "params", Map.of("expression", expression, "returnByValue", true))), true).join();
    JsonNode answer = reply.poll(10, TimeUnit.SECONDS);
    replies.remove(id);
    if (answer == null) {
      throw new AssertionError("Chromium did not answer Runtime.evaluate of " + expression);
    }
    if (answer.has("error") || answer.path("result").has("exceptionDetails")) {
      throw new AssertionError("Chromium could not evaluate " + expression + ": " + answer);
    }
    return answer.path("result").path("result").path("value").asText();
  }

  /** Collects DevTools replies by id; events (no id) are ignored. */
  private final class Replies implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(partial.toString());
          BlockingQueue<JsonNode> reply = replies.get(message.path("id").asInt(-1));
          if (reply != null) {
            reply.add(message);
          }
        } catch (IOException e) {
          throw new IllegalStateException("DevTools sent something that is not JSON", e);
        } finally {
          partial.setLength(0);
        }
      }
      ws.request(1);
      return null;
    }
  }
}
