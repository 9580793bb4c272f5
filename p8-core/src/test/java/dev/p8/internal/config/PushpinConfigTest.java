package dev.p8.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PushpinConfigTest {

  private static final Path BASE = Path.of("/etc/pushpin");

  @Test
  void loadsPushpin136ExampleConfigUnchanged(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pushpin.conf");
    Files.writeString(file, resource("pushpin-1.36.conf"));

    PushpinConfig config = PushpinConfig.load(file);

    assertThat(config.baseDir()).isEqualTo(dir.toAbsolutePath());
    assertThat(config.get("global", "include")).contains("{libdir}/internal.conf");
    assertThat(config.get("global", "rundir", "x")).isEqualTo("run");
    assertThat(config.getInt("global", "port_offset", -1)).isZero();
    assertThat(config.getInt("global", "stats_connection_ttl", -1)).isEqualTo(120);
    assertThat(config.getList("runner", "services"))
        .containsExactly("condure", "zurl", "pushpin-proxy", "pushpin-handler");
    assertThat(config.getList("runner", "http_port")).containsExactly("7999");
    assertThat(config.get("runner", "https_ports")).isEmpty();
    assertThat(config.get("runner", "local_ports")).isEmpty();
    assertThat(config.getInt("runner", "client_buffer_size", -1)).isEqualTo(8192);
    assertThat(config.getInt("runner", "client_maxconn", -1)).isEqualTo(50000);
    assertThat(config.resolve(config.get("proxy", "routesfile", "")))
        .isEqualTo(dir.toAbsolutePath().resolve("routes"));
    assertThat(config.getBoolean("proxy", "debug", true)).isFalse();
    assertThat(config.get("proxy", "set_x_forwarded_protocol")).contains("proto-only");
    assertThat(config.get("proxy", "x_forwarded_for")).contains("");
    assertThat(config.getList("proxy", "x_forwarded_for")).isEmpty();
    assertThat(config.get("proxy", "sig_key")).contains("changeme");
    assertThat(config.get("proxy", "sockjs_url"))
        .contains("http://cdn.jsdelivr.net/sockjs/0.3.4/sockjs.min.js");
    assertThat(config.get("handler", "stats_spec")).contains("ipc://{rundir}/{ipc_prefix}stats");
    assertThat(config.getInt("handler", "push_in_http_port", -1)).isEqualTo(5561);
    assertThat(config.getInt("handler", "push_in_http_max_body_size", -1)).isEqualTo(1000000);
    assertThat(config.getBoolean("handler", "push_in_sub_connect", true)).isFalse();
    assertThat(config.getInt("handler", "message_block_size", -7)).isEqualTo(-7);
    assertThat(config.get("handler", "stats_format")).contains("tnetstring");
    assertThat(config.unknownKeys()).containsExactly("global.include");
  }

  @Test
  void loadsTheMainBranchExampleConfigUnchanged() throws Exception {
    PushpinConfig config = PushpinConfig.parse(resource("pushpin-main.conf"), BASE,
        "pushpin.conf");

    assertThat(config.getBoolean("global", "stats_connection_send", false)).isTrue();
    assertThat(config.getList("runner", "services"))
        .containsExactly("connmgr", "proxy", "handler");
    assertThat(config.getBoolean("runner", "allow_compression", true)).isFalse();
    assertThat(config.get("proxy", "cdn_loop")).contains("");
    assertThat(config.getBoolean("handler", "update_on_first_subscription", false)).isTrue();
    assertThat(config.unknownKeys()).containsExactly("global.include");
  }

  @Test
  void namesTheKnownKeysThatWereNeverAskedFor() throws Exception {
    PushpinConfig config = PushpinConfig.parse("[runner]\nhttp_port=7999\nallow_compression=true\n"
        + "[proxy]\nlog_from=true\ndebug=false\nno_such_key=1\n", BASE, "pushpin.conf");
    assertThat(config.unreadKeys()).containsExactly("runner.http_port", "runner.allow_compression",
        "proxy.log_from", "proxy.debug");
    config.getList("runner", "http_port");
    config.getBoolean("proxy", "debug", false);
    config.get("handler", "message_wait");
    assertThat(config.unreadKeys()).as("what was read, or is absent, or unknown, is not named")
        .containsExactly("runner.allow_compression", "proxy.log_from");
  }

  @Test
  void readsSyntaxVariants() throws Exception {
    PushpinConfig config = PushpinConfig.parse("\uFEFFtop=1\r\n"
        + "  [ proxy ]  \r\n"
        + "; semicolon comment\n"
        + "  # indented hash comment\n"
        + "  sig_key = \"a \\\"quoted\\\" \\\\ value\"  \n"
        + "sig_iss=has;semicolon#and hash\n"
        + "debug=yes\n"
        + "debug=no\n"
        + "routesfile=\"\n"
        + "[handler]\r"
        + "stats_format=json\n"
        + "[proxy]\n"
        + "workers=4\n", BASE, "pushpin.conf");

    assertThat(config.get("", "top")).contains("1");
    assertThat(config.get("proxy", "sig_key")).contains("a \"quoted\" \\ value");
    assertThat(config.get("proxy", "sig_iss")).contains("has;semicolon#and hash");
    assertThat(config.getBoolean("proxy", "debug", true)).isFalse();
    assertThat(config.get("proxy", "routesfile")).contains("\"");
    assertThat(config.get("handler", "stats_format")).contains("json");
    assertThat(config.getInt("proxy", "workers", 1)).isEqualTo(4);
    assertThat(config.get("nosuch", "key")).isEmpty();
    assertThat(config.get("proxy", "nosuch", "dflt")).isEqualTo("dflt");
  }

  @Test
  void reportsUnknownKeysOncePerKeyInFileOrder() throws Exception {
    PushpinConfig config = PushpinConfig.parse("stray=1\n[proxy]\nfancy=1\nfancy=2\ndebug=1\n"
        + "[m2adapter]\nport=1\n[global]\ninclude=x\n", BASE, "c");

    assertThat(config.unknownKeys())
        .containsExactly("stray", "proxy.fancy", "m2adapter.port", "global.include");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "true | true", "TRUE | true", "yes | true", "on | true", "1 | true",
      "false | false", "No | false", "off | false", "0 | false",
  })
  void readsBooleans(String text, boolean expected) throws Exception {
    PushpinConfig config = PushpinConfig.parse("[proxy]\ndebug=" + text, BASE, "c");

    assertThat(config.getBoolean("proxy", "debug", !expected)).isEqualTo(expected);
  }

  @Test
  void emptyValuesFallBackToDefaults() throws Exception {
    PushpinConfig config = PushpinConfig.parse("[handler]\nmessage_rate=\ndebug=\n", BASE, "c");

    assertThat(config.getInt("handler", "message_rate", 2500)).isEqualTo(2500);
    assertThat(config.getBoolean("handler", "debug", true)).isTrue();
    assertThat(config.get("handler", "message_rate", "d")).isEmpty();
  }

  @Test
  void readsSignedIntegers() throws Exception {
    PushpinConfig config = PushpinConfig.parse("[a]\nx=-5\ny=+7\n", BASE, "c");

    assertThat(config.getInt("a", "x", 0)).isEqualTo(-5);
    assertThat(config.getInt("a", "y", 0)).isEqualTo(7);
  }

  @Test
  void splitsAndTrimsLists() throws Exception {
    PushpinConfig config = PushpinConfig.parse("[runner]\nhttp_port= 7999 , 127.0.0.1:80,,\n",
        BASE, "c");

    assertThat(config.getList("runner", "http_port")).containsExactly("7999", "127.0.0.1:80");
    assertThat(config.getList("runner", "absent")).isEmpty();
  }

  @Test
  void resolvesPathsAgainstTheFilesDirectory() throws Exception {
    PushpinConfig config = PushpinConfig.parse("", BASE, "c");

    assertThat(config.resolve("routes")).isEqualTo(Path.of("/etc/pushpin/routes"));
    assertThat(config.resolve("../x/./routes")).isEqualTo(Path.of("/etc/x/routes"));
    assertThat(config.resolve("/var/routes")).isEqualTo(Path.of("/var/routes"));
    assertThatThrownBy(() -> config.resolve("a\u0000b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("path \"a\\x00b\" is not valid: ");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "'[proxy\n'            | pushpin.conf:1: section header \"[proxy\" has no closing ]",
      "'[]'                  | pushpin.conf:1: section header \"[]\" has no valid name",
      "'[ ]'                 | pushpin.conf:1: section header \"[ ]\" has no valid name",
      "'[a]b]'               | pushpin.conf:1: section header \"[a]b]\" has no valid name",
      "'[a]\n\njust words'   | pushpin.conf:3: expected key=value, [section] or a comment, got "
          + "\"just words\"",
      "'[a]\n=value'         | pushpin.conf:2: line \"=value\" has no key before =",
  })
  void reportsSyntaxErrorsWithSourceAndLine(String text, String message) {
    assertThatThrownBy(() -> PushpinConfig.parse(text, BASE, "pushpin.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void reportsBadValuesWithSectionAndKey() throws Exception {
    PushpinConfig config = PushpinConfig.parse(
        "[proxy]\nworkers=many\nbig=99999999999\ndebug=maybe\nsign=-\n", BASE, "c");

    assertThatThrownBy(() -> config.getInt("proxy", "workers", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("proxy.workers: expected a whole number, got \"many\"");
    assertThatThrownBy(() -> config.getInt("proxy", "big", 1))
        .hasMessage("proxy.big: value \"99999999999\" is out of range (-2147483648 to "
            + "2147483647)");
    assertThatThrownBy(() -> config.getInt("proxy", "sign", 1))
        .hasMessage("proxy.sign: expected a whole number, got \"-\"");
    assertThatThrownBy(() -> config.getBoolean("proxy", "debug", false))
        .hasMessage("proxy.debug: expected true, false, yes, no, 1 or 0, got \"maybe\"");
  }

  @Test
  void reportsUnreadableAndNonUtf8Files(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.conf");
    assertThatThrownBy(() -> PushpinConfig.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read the file (")
        .hasCauseInstanceOf(IOException.class);

    Path latin1 = dir.resolve("latin1.conf");
    Files.write(latin1, new byte[] {'[', 'a', ']', '\n', 'k', '=', (byte) 0xe9});
    assertThatThrownBy(() -> PushpinConfig.load(latin1))
        .isInstanceOf(ConfigException.class)
        .hasMessage(latin1 + ": the file is not valid UTF-8");
  }

  @Test
  void randomAndMutatedTextOnlyFailsWithConfigException() throws Exception {
    Random random = new Random(0xc0f1);
    String valid = resource("pushpin-main.conf");
    String alphabet = "[]=;#\"\\ \t\r\nabc,01-+";
    int parsed = 0;
    for (int i = 0; i < 5_000; i++) {
      StringBuilder text = new StringBuilder(i % 2 == 0 ? "" : valid);
      int edits = 1 + random.nextInt(i % 2 == 0 ? 60 : 8);
      for (int e = 0; e < edits; e++) {
        int at = text.length() == 0 ? 0 : random.nextInt(text.length());
        char c = random.nextInt(6) == 0 ? (char) random.nextInt(0x10000)
            : alphabet.charAt(random.nextInt(alphabet.length()));
        if (random.nextBoolean() || text.length() == 0) {
          text.insert(at, c);
        } else {
          text.setCharAt(at, c);
        }
      }
      PushpinConfig config;
      try {
        config = PushpinConfig.parse(text.toString(), BASE, "fuzz");
      } catch (ConfigException e) {
        assertThat(e.getMessage()).startsWith("fuzz:");
        continue;
      }
      parsed++;
      // Every typed getter on every key either answers or names the key.
      for (String key : config.unknownKeys()) {
        String section = key.contains(".") ? key.substring(0, key.indexOf('.')) : "";
        String name = key.substring(key.indexOf('.') + 1);
        readTyped(config, section, name);
      }
      for (String key : new String[] {"port_offset", "stats_connection_ttl"}) {
        readTyped(config, "global", key);
      }
    }
    assertThat(parsed).isGreaterThan(500);
  }

  private static void readTyped(PushpinConfig config, String section, String key) {
    try {
      config.getInt(section, key, 0);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith(section + "." + key + ": ");
    }
    try {
      config.getBoolean(section, key, false);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith(section + "." + key + ": ");
    }
    config.getList(section, key);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PushpinConfigTest.class.getResourceAsStream(name)) {
      assertThat(in).as("resource %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
