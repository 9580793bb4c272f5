package dev.p8.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {

  @Test
  void noArgumentsMeansDefaults() {
    CommandLine line = CommandLine.parse();

    assertThat(line.config()).isEmpty();
    assertThat(line.ports()).isEmpty();
    assertThat(line.routes()).isEmpty();
    assertThat(line.verbose()).isFalse();
    assertThat(line.help()).isFalse();
    assertThat(line.version()).isFalse();
    assertThat(line.id()).isEmpty();
    assertThat(line.logFile()).isEmpty();
    assertThat(line.logLevel()).isEmpty();
  }

  @Test
  void readsEveryOptionWithSeparateValues() {
    CommandLine line = CommandLine.parse("--config", "/etc/pushpin/pushpin.conf",
        "--logfile", "/var/log/p8.log", "--loglevel", "proxy:3,handler:2,1", "--verbose",
        "--port", "7999", "--port", "[::1]:8000", "--id", "2",
        "--route", "* localhost:80", "--route", "example.com test", "-m");

    assertThat(line.config()).contains(Path.of("/etc/pushpin/pushpin.conf"));
    assertThat(line.logFile()).contains("/var/log/p8.log");
    assertThat(line.logLevel()).contains("proxy:3,handler:2,1");
    assertThat(line.verbose()).isTrue();
    assertThat(line.ports()).containsExactly("7999", "[::1]:8000");
    assertThat(line.id()).isEqualTo(OptionalInt.of(2));
    assertThat(line.routes()).containsExactly("* localhost:80", "example.com test");
  }

  @Test
  void readsValuesAfterAnEqualsSign() {
    CommandLine line = CommandLine.parse("--config=pushpin.conf", "--port=127.0.0.1:80",
        "--route=*,path_beg=/a b:1", "--loglevel=3", "--id=0");

    assertThat(line.config()).contains(Path.of("pushpin.conf"));
    assertThat(line.ports()).containsExactly("127.0.0.1:80");
    assertThat(line.routes()).containsExactly("*,path_beg=/a b:1");
    assertThat(line.logLevel()).contains("3");
    assertThat(line.id()).isEqualTo(OptionalInt.of(0));
  }

  @Test
  void readsHelpAndVersion() {
    assertThat(CommandLine.parse("--help").help()).isTrue();
    assertThat(CommandLine.parse("-h").help()).isTrue();
    assertThat(CommandLine.parse("--version").version()).isTrue();
    assertThat(CommandLine.parse("--merge-output").help()).isFalse();
  }

  @Test
  void usageNamesEveryOption() {
    assertThat(CommandLine.usage()).contains("--config", "--logfile", "--loglevel", "--verbose",
        "--port", "--id", "--route", "--merge-output", "--help", "--version").endsWith("\n");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "--bogus                   | unknown option --bogus (see --help)",
      "--bogus=1                 | unknown option --bogus (see --help)",
      "-x                        | unknown option -x (see --help)",
      "--                        | unknown option -- (see --help)",
      "stray                     | unexpected argument \"stray\" (see --help)",
      "--port                    | option --port needs a value",
      "--port=                   | option --port needs a value",
      "--config --verbose        | option --config needs a value",
      "--verbose=yes             | option --verbose takes no value, got \"yes\"",
      "--config=a --config=b     | option --config may be given only once",
      "--id=1 --id=2             | option --id may be given only once",
      "--verbose --verbose       | option --verbose may be given only once",
      "--id=-1                   | option --id: \"-1\" is not a whole number from 0 to 1000000",
      "--id=x                    | option --id: \"x\" is not a whole number from 0 to 1000000",
      "--port=70000              | option --port: listen address \"70000\": port must be a number "
          + "from 0 to 65535",
      "--route=*                 | option --route: route \"*\" has a condition but no target; "
          + "expected a condition and at least one target",
      "--loglevel=a:b            | option --loglevel: entry \"a:b\" needs a level from 0 to 255",
      "--loglevel=:2             | option --loglevel: entry \":2\" has an empty service name",
      "--loglevel=2,,3           | option --loglevel: \"2,,3\" has an empty entry",
      "--loglevel=256            | option --loglevel: entry \"256\" needs a level from 0 to 255",
  })
  void refusesBadArgumentsNamingTheOption(String spaceSeparated, String message) {
    String[] args = spaceSeparated.split(" ");

    assertThatThrownBy(() -> CommandLine.parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void refusesAConfigPathTheFileSystemCannotHold() {
    assertThatThrownBy(() -> CommandLine.parse("--config=a\u0000b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("option --config: \"a\\x00b\" is not a valid path: ");
  }

  @Test
  void randomArgumentsOnlyFailWithIllegalArgumentException() {
    Random random = new Random(0xc11);
    String[] words = {"--config", "--logfile", "--loglevel", "--verbose", "--port", "--id",
        "--route", "--help", "-h", "-m", "--version", "--", "-", "=", "7999", "[::1]:80",
        "* b:1", "proxy:3", "x", "", "--port=", "--id=5", "--route=* test", "--loglevel=1,a:2"};
    for (int i = 0; i < 20_000; i++) {
      List<String> args = new ArrayList<>();
      int count = random.nextInt(6);
      for (int a = 0; a < count; a++) {
        String word = words[random.nextInt(words.length)];
        if (random.nextInt(4) == 0) {
          StringBuilder noise = new StringBuilder(word);
          noise.insert(random.nextInt(word.length() + 1), (char) random.nextInt(0x80));
          word = noise.toString();
        }
        args.add(word);
      }
      try {
        CommandLine.parse(args.toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }
}
