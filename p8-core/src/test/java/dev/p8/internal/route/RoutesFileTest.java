package dev.p8.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.route.Route;
import dev.p8.route.Target;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutesFileTest {

  @Test
  void loadsPushpin136ExampleRoutes() throws Exception {
    List<Route> routes = RoutesFile.parse(resource("routes-1.36"), "routes");

    assertThat(routes).containsExactly(Route.parse("* test"));
    assertThat(RouteTable.of(routes).match("localhost", "/", false, false)
        .map(r -> r.targets().get(0).isTest())).contains(true);
  }

  @Test
  void loadsTheOlderExampleRoutes() throws Exception {
    List<Route> routes = RoutesFile.parse(resource("routes-classic"), "routes");

    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).host()).isEqualTo("*");
    assertThat(routes.get(0).targets()).containsExactly(Target.of("localhost", 80));
  }

  @Test
  void skipsBlankAndCommentLinesAndAcceptsAnyLineEnding() throws Exception {
    String content = "\uFEFF# header\r\n\r\n   \n\t# indented comment\r"
        + "example.com b:1 # trailing comment\n* c:2";

    List<Route> routes = RoutesFile.parse(content, "routes");

    assertThat(routes).containsExactly(Route.parse("example.com b:1"), Route.parse("* c:2"));
  }

  @Test
  void keepsDuplicatesForTheTableToResolve() throws Exception {
    assertThat(RoutesFile.parse("* b:1\n* c:2\n", "routes")).hasSize(2);
  }

  @Test
  void anEmptyFileHasNoRoutes() throws Exception {
    assertThat(RoutesFile.parse("", "routes")).isEmpty();
  }

  @Test
  void reportsTheSourceLineAndReason() {
    assertThatThrownBy(() -> RoutesFile.parse("# ok\n* b:1\n\n*,proto=x b:1\n", "/etc/routes"))
        .isInstanceOfSatisfying(RoutesFileException.class, e -> {
          assertThat(e.line()).isEqualTo(4);
          assertThat(e).hasMessage("/etc/routes:4: condition option proto=\"x\": must be "
              + "http or ws");
          assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
        });
    assertThatThrownBy(() -> RoutesFile.parse("*\r\n", "routes"))
        .hasMessage("routes:1: route \"*\" has a condition but no target; expected a "
            + "condition and at least one target");
    assertThatThrownBy(() -> RoutesFile.parse("* b:1\r* \"c:2\n", "routes"))
        .hasMessage("routes:2: token \"\\\"c:2\", column 3: unterminated quoted section");
  }

  @Test
  void randomAndMutatedFilesOnlyFailWithRoutesFileException() {
    Random random = new Random(0x71f1);
    String valid = "# routes\n* localhost:80\nexample.com,path_beg=/a,id=x b:1,ssl test\n"
        + "\n*,header=\"X-A: 1\" [::1]:80\n";
    for (int i = 0; i < 10_000; i++) {
      StringBuilder text = new StringBuilder(valid);
      if (i % 3 == 0) {
        text.setLength(0);
      }
      int edits = 1 + random.nextInt(6);
      for (int e = 0; e < edits; e++) {
        int at = text.length() == 0 ? 0 : random.nextInt(text.length());
        String alphabet = " \t\r\n,=\"\\#:[]*test/";
        char c = random.nextInt(5) == 0 ? (char) random.nextInt(0x10000)
            : alphabet.charAt(random.nextInt(alphabet.length()));
        if (random.nextBoolean() || text.length() == 0) {
          text.insert(at, c);
        } else {
          text.setCharAt(at, c);
        }
      }
      try {
        List<Route> routes = RoutesFile.parse(text.toString(), "fuzz");
        RouteTable.of(routes).match("example.com", "/a", true, false);
      } catch (RoutesFileException e) {
        assertThat(e.getMessage()).startsWith("fuzz:" + e.line() + ": ");
        assertThat(e.line()).isPositive();
      }
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RoutesFileTest.class.getResourceAsStream(name)) {
      assertThat(in).as("resource %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
