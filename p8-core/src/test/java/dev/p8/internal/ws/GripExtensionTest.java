package dev.p8.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GripExtensionTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      "grip|m:",
      "GRIP|m:",
      "grip; message-prefix=''|''",
      "grip;message-prefix='x'|x",
      "grip; message-prefix=x |x",
      "grip; message-prefix|''",
      "grip; message-prefix='a\\'b\\\\c'|a'b\\c",
      "grip; message-prefix='x;y,z'|x;y,z",
      "grip; other=1; message-prefix='p:'; more|p:",
      "permessage-deflate, grip; message-prefix=''|''",
      "permessage-deflate; client_max_window_bits, grip|m:",
      "x; a='q,grip', grip; message-prefix='ok'|ok",
      "grip; message-prefix='first', grip; message-prefix='second'|first",
  })
  void acceptedExtensionsGiveThePrefix(String header, String prefix) {
    // Single quotes stand for double quotes, which CSV would otherwise eat.
    String p = prefix.equals("''") ? "" : prefix.replace('\'', '"');
    assertThat(GripExtension.acceptedPrefix(header.replace('\'', '"'))).contains(p);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "gripper",
      "grip-x; message-prefix='m'",
      "permessage-deflate",
      "''",
      "x; a='grip'",
      "x; a='unterminated, grip",
      "grip; message-prefix=",
      "grip; message-prefix='unterminated",
      "grip; message-prefix='x\\",
  })
  void otherValuesDoNotAcceptGrip(String header) {
    assertThat(GripExtension.acceptedPrefix(header.equals("''") ? "" : header.replace('\'', '"'))).isEmpty();
  }

  @Test
  void spacesAroundNamesAndValuesAreIgnored() {
    // CsvSource would trim these spaces away, hence a plain test.
    assertThat(GripExtension.acceptedPrefix("  grip  ")).contains("m:");
    assertThat(GripExtension.acceptedPrefix("grip ;  message-prefix = \"x\" ")).contains("x");
    assertThat(GripExtension.acceptedPrefix("grip; message-prefix= ")).contains("");
  }

  @Test
  void nullMeansNoExtension() {
    assertThat(GripExtension.acceptedPrefix(null)).isEqualTo(Optional.empty());
    assertThat(GripExtension.OFFER).isEqualTo("grip");
  }

  @Test
  void garbageNeverThrows() {
    Random r = new Random(17);
    String alphabet = "grip;=\",\\ message-prefix\t\u00e9";
    String valid = "permessage-deflate, grip; message-prefix=\"m:\"";
    int accepted = 0;
    for (int i = 0; i < 40_000; i++) {
      StringBuilder sb;
      if (i % 2 == 0) {
        sb = new StringBuilder(valid);
        for (int k = 0; k < 1 + r.nextInt(3); k++) {
          int at = r.nextInt(sb.length());
          if (r.nextBoolean()) {
            sb.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          } else {
            sb.deleteCharAt(at);
          }
        }
      } else {
        sb = new StringBuilder();
        for (int k = 0; k < r.nextInt(40); k++) {
          sb.append(r.nextInt(4) == 0 ? (char) r.nextInt(0x3000) : alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      Optional<String> prefix = GripExtension.acceptedPrefix(sb.toString());
      assertThat(prefix).isNotNull();
      if (prefix.isPresent()) {
        accepted++;
      }
    }
    assertThat(accepted).as("some mutations still accept grip").isGreaterThan(1_000);
  }
}
