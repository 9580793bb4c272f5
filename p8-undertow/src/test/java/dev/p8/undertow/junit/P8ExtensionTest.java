package dev.p8.undertow.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs small {@link P8Test} classes through the JUnit launcher and checks how they end: the
 * leak check must fail a test that leaves a held connection open, and bad set-ups must fail
 * with a sentence naming the member at fault. The nested classes have {@code $} in their
 * names, so Surefire does not run them on its own.
 */
class P8ExtensionTest {

  static final List<Socket> LEFT_OPEN = new ArrayList<>();
  static final AtomicInteger SERVERS_SEEN = new AtomicInteger();
  static final List<Integer> PORTS = new ArrayList<>();

  @AfterEach
  void closeLeftovers() throws IOException {
    for (Socket s : LEFT_OPEN) {
      s.close();
    }
    LEFT_OPEN.clear();
    PORTS.clear();
  }

  static final HttpHandler STREAM = exchange -> {
    exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Hold"), "stream");
    exchange.getResponseHeaders().put(HttpString.tryFromString("Grip-Channel"), "leak");
    exchange.getResponseSender().send("open\n");
  };

  /** Opens a stream hold on a raw socket and reads until the first body line. */
  static Socket openStream(URI p8) throws IOException {
    Socket s = new Socket(p8.getHost(), p8.getPort());
    OutputStream out = s.getOutputStream();
    out.write(("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("open\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("stream closed before its first line: " + seen);
      }
      seen.append((char) b);
    }
    return s;
  }

  @P8Test(leakTimeoutMillis = 300)
  static class LeavesAStreamOpen {
    @P8Backend
    static final HttpHandler BACKEND = STREAM;

    @Test
    void leaks(URI p8, P8Server server) throws IOException {
      PORTS.add(server.port());
      LEFT_OPEN.add(openStream(p8));
      P8TestKitTest.awaitSubscriptions(server, 1);
    }

    @Test
    void runsOnAFreshServerAfterTheLeak(URI p8, P8Server server) throws IOException {
      PORTS.add(server.port());
      try (Socket s = openStream(p8)) {
        // A fresh server: only this test's stream, once it is subscribed.
        P8TestKitTest.awaitSubscriptions(server, 1);
        assertThat(server.heldConnections()).isEqualTo(1);
      }
    }
  }

  @P8Test(leakTimeoutMillis = 300, checkLeaks = false)
  static class LeaksWithTheCheckOff {
    @P8Backend
    static final HttpHandler BACKEND = STREAM;

    @Test
    void leaks(URI p8) throws IOException {
      LEFT_OPEN.add(openStream(p8));
    }
  }

  @P8Test
  static class ClosesWhatItOpens {
    @P8Backend
    static String backend() {
      return "127.0.0.1:1";
    }

    @Test
    void nothingHeld(P8Server server) {
      assertThat(server.heldConnections()).isZero();
    }
  }

  @P8Test
  static class InstanceBackend {
    @P8Backend
    final HttpHandler backend = STREAM;

    @Test
    void neverRuns(P8Server server) {
    }
  }

  @P8Test
  static class WrongBackendType {
    @P8Backend
    static final Integer BACKEND = 8080;

    @Test
    void neverRuns(URI p8) {
    }
  }

  @P8Test(routes = "* {backend}")
  static class PlaceholderWithoutBackend {
    @Test
    void neverRuns(URI p8) {
    }
  }

  @P8Test
  static class AsksForSomethingElse {
    @Test
    void neverRuns(StringBuilder nothing) {
    }
  }

  /** Method display name to how it ended. */
  private static List<String> run(Class<?> testClass) {
    List<String> results = new ArrayList<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              results.add(id.getDisplayName() + " " + result.getStatus()
                  + result.getThrowable().map(t -> ": " + t.getMessage()).orElse(""));
            }
          }
        });
    return results;
  }

  @Test
  void aTestThatLeavesAHeldConnectionOpenFailsWithTheCounts() {
    List<String> results = run(LeavesAStreamOpen.class);
    assertThat(results).containsExactly(
        "leaks(URI, P8Server) FAILED: P8 leak after leaks(URI, P8Server): 1 held connection(s),"
            + " 0 WebSocket(s) and 1 subscription(s) were still open 300 ms after the test ended."
            + " Close every response, stream and WebSocket the test opened,"
            + " or use @P8Test(checkLeaks = false).",
        "runsOnAFreshServerAfterTheLeak(URI, P8Server) SUCCESSFUL");
    assertThat(PORTS).hasSize(2);
    assertThat(PORTS.get(1)).isNotEqualTo(PORTS.get(0));
  }

  @Test
  void theCheckCanBeTurnedOff() {
    assertThat(run(LeaksWithTheCheckOff.class)).containsExactly("leaks(URI) SUCCESSFUL");
  }

  @Test
  void aTestThatClosesEverythingPasses() {
    assertThat(run(ClosesWhatItOpens.class)).containsExactly("nothingHeld(P8Server) SUCCESSFUL");
  }

  @Test
  void badSetUpsNameWhatIsWrong() {
    assertThat(run(InstanceBackend.class)).singleElement().asString()
        .contains("FAILED").contains("@P8Backend field backend must be static");
    assertThat(run(WrongBackendType.class)).singleElement().asString()
        .contains("FAILED").contains("@P8Backend field BACKEND must be an io.undertow.server.HttpHandler"
            + " or a host:port String, was java.lang.Integer");
    assertThat(run(PlaceholderWithoutBackend.class)).singleElement().asString()
        .contains("route '* {backend}' of " + PlaceholderWithoutBackend.class.getName()
            + " names {backend}, but the class has no @P8Backend");
    assertThat(run(AsksForSomethingElse.class)).singleElement().asString()
        .contains("FAILED").contains("java.lang.StringBuilder");
  }
}
