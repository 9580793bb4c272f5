package dev.p8.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Feeds {@link Route#parse} and {@link Target#parse} random text and mutations of valid lines.
 * The contract: a value or an {@link IllegalArgumentException} with a message, nothing else;
 * and whatever parses renders to text that parses back to an equal value.
 */
class RouteGarbageTest {

  static final String[] ROUTE_SEEDS = {
      "* localhost:8080",
      "*,path_beg=/api,prefix=foo_ backend:80,over_http",
      "example.com,ssl=yes 10.0.0.1:443,ssl,insecure 10.0.0.2:443",
      "* test",
      "id=chat,proto=ws,header=X-A:1 [::1]:8080,sub=\"a b\",host=h",
      "*,path_rem=3,replace_beg=/x,jsonp_mode=basic,log_level=2 b:1 # comment",
      ",debug,sig_key=\"k\\\"\\\\\" b:1,one_event",
  };

  static final String[] TARGET_SEEDS = {
      "backend:80", "[::1]:8080,ssl", "test", "b:1,sub=x,sub=\"y z\",host=h,insecure",
  };

  private static final String ALPHABET = " \t,=\"\\#:[]*/.-_abcz019\u0000\r\n\u00e9\ud83d";

  @Test
  void randomRouteLinesOnlyFailWithIllegalArgumentException() {
    Random random = new Random(0x70a1);
    for (int i = 0; i < 30_000; i++) {
      check(randomText(random, 40), Route::parse, Route::toString);
    }
  }

  @Test
  void mutatedRouteLinesOnlyFailWithIllegalArgumentException() {
    Random random = new Random(0x70a2);
    int parsed = 0;
    for (int i = 0; i < 30_000; i++) {
      String line = mutate(random, ROUTE_SEEDS[random.nextInt(ROUTE_SEEDS.length)]);
      parsed += check(line, Route::parse, Route::toString) ? 1 : 0;
    }
    // Mutations that never parse would leave the render-and-reparse check untested.
    assertThat(parsed).isGreaterThan(1_000);
  }

  @Test
  void randomAndMutatedTargetsOnlyFailWithIllegalArgumentException() {
    Random random = new Random(0x70a3);
    int parsed = 0;
    for (int i = 0; i < 30_000; i++) {
      String token = i % 2 == 0 ? randomText(random, 20)
          : mutate(random, TARGET_SEEDS[random.nextInt(TARGET_SEEDS.length)]);
      parsed += check(token, Target::parse, Target::toString) ? 1 : 0;
    }
    assertThat(parsed).isGreaterThan(1_000);
  }

  private static <T> boolean check(String input, Function<String, T> parser,
      Function<T, String> renderer) {
    T value;
    try {
      value = parser.apply(input);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).as("message for %s", input).isNotBlank();
      return false;
    } catch (RuntimeException e) {
      throw new AssertionError("undocumented exception for input " + escape(input), e);
    }
    String rendered = renderer.apply(value);
    try {
      assertThat(parser.apply(rendered)).as("re-parse of %s from %s", rendered, escape(input))
          .isEqualTo(value);
    } catch (IllegalArgumentException e) {
      fail("rendered text %s of input %s does not parse: %s", rendered, escape(input),
          e.getMessage());
    }
    return true;
  }

  static String randomText(Random random, int maxLength) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      out.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x10000)
          : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  static String mutate(Random random, String seed) {
    StringBuilder text = new StringBuilder(seed);
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      int at = text.length() == 0 ? 0 : random.nextInt(text.length());
      char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      switch (random.nextInt(4)) {
        case 0 -> text.insert(at, c);
        case 1 -> {
          if (text.length() > 0) {
            text.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (text.length() > 0) {
            text.setCharAt(at, c);
          }
        }
        default -> text.setLength(at);
      }
    }
    return text.toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
