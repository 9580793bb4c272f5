package dev.p8.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "7999               | 0.0.0.0       | 7999  | 0.0.0.0:7999",
      "0                  | 0.0.0.0       | 0     | 0.0.0.0:0",
      "65535              | 0.0.0.0       | 65535 | 0.0.0.0:65535",
      "127.0.0.1:80       | 127.0.0.1     | 80    | 127.0.0.1:80",
      "localhost:8080     | localhost     | 8080  | localhost:8080",
      "[::1]:80           | ::1           | 80    | [::1]:80",
      "[fe80::1%eth0]:443 | fe80::1%eth0  | 443   | [fe80::1%eth0]:443",
      "[::]:7999          | ::            | 7999  | [::]:7999",
  })
  void parsesAddressAndPort(String spec, String host, int port, String rendered) {
    ListenAddress address = ListenAddress.parse(spec, "0.0.0.0");

    assertThat(address).isEqualTo(new ListenAddress(host, port));
    assertThat(address.toString()).isEqualTo(rendered);
  }

  @Test
  void usesTheDefaultHostForABarePort() {
    assertThat(ListenAddress.parse("80", "::")).isEqualTo(new ListenAddress("::", 80));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "''            | listen address \"\": port must be a number from 0 to 65535",
      "65536         | listen address \"65536\": port must be a number from 0 to 65535",
      "-1            | listen address \"-1\": port must be a number from 0 to 65535",
      "' 80'         | listen address \" 80\": port must be a number from 0 to 65535",
      "080080        | listen address \"080080\": port must be a number from 0 to 65535",
      "host:         | listen address \"host:\": port must be a number from 0 to 65535",
      ":80           | listen address \":80\": the address before ':' is empty",
      "::1:80        | listen address \"::1:80\": an IPv6 address must be in brackets, as in "
          + "[::1]:7999",
      "[::1]         | listen address \"[::1]\": expected [ipv6-address]:port",
      "[]:80         | listen address \"[]:80\": the address in brackets is empty",
      "[a/b]:80      | listen address \"[a/b]:80\": the bracketed address has a character not "
          + "allowed in an IPv6 address (position 3)",
      "a b:80        | listen address \"a b:80\": the address has a character not allowed in a "
          + "host name or IPv4 address (position 2)",
  })
  void refusesBadSpecsNamingThem(String spec, String message) {
    assertThatThrownBy(() -> ListenAddress.parse(spec, "0.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void refusesAnEmptyDefaultHostForABarePort() {
    assertThatThrownBy(() -> ListenAddress.parse("80", ""))
        .hasMessage("listen address \"80\": the default host is empty");
  }

  @Test
  void constructorChecksItsParts() {
    assertThatThrownBy(() -> new ListenAddress("", 80)).hasMessage("listen host is empty");
    assertThatThrownBy(() -> new ListenAddress("h", 65536))
        .hasMessage("listen port 65536 is out of range 0-65535");
  }

  @Test
  void randomAndMutatedSpecsOnlyFailWithIllegalArgumentException() {
    Random random = new Random(0x1157);
    String[] seeds = {"7999", "127.0.0.1:80", "[::1]:8080", "localhost:443"};
    String alphabet = "[]:.%09az -";
    int parsed = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder spec = new StringBuilder(i % 2 == 0 ? "" : seeds[random.nextInt(seeds.length)]);
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = spec.length() == 0 ? 0 : random.nextInt(spec.length());
        char c = random.nextInt(5) == 0 ? (char) random.nextInt(0x10000)
            : alphabet.charAt(random.nextInt(alphabet.length()));
        if (random.nextBoolean() || spec.length() == 0) {
          spec.insert(at, c);
        } else {
          spec.setCharAt(at, c);
        }
      }
      try {
        ListenAddress address = ListenAddress.parse(spec.toString(), "0.0.0.0");
        // What parses renders to a spec that parses to the same address.
        assertThat(ListenAddress.parse(address.toString(), "0.0.0.0")).isEqualTo(address);
        parsed++;
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("listen address ");
      }
    }
    assertThat(parsed).isGreaterThan(1_000);
  }
}
