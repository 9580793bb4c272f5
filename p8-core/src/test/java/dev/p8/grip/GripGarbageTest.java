package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever a backend or client sends, the parsers answer with their one documented exception. */
class GripGarbageTest {

  private static final String[] HEADERS = {"Grip-Hold", "Grip-Channel", "Grip-Timeout", "Grip-Keep-Alive",
      "Grip-Status", "Grip-Link", "Grip-Set-Meta", "Grip-Expose-Headers"};
  private static final String[] SEEDS = {"stream", "a, b; prev-id=1; filter=x", "30",
      "\\x3a\\n; format=cstring; timeout=20; mode=interval", "404 Not Found", "</n>; rel=next; timeout=9",
      "user=a", "X-A"};
  private static final String ALPHABET = "ab;,=\"\\<> \t\r\n\u0000\u00e9xX0123456789-";

  private static String mutate(Random r, String s) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = sb.length() == 0 ? 0 : r.nextInt(sb.length() + 1);
      char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
      switch (r.nextInt(3)) {
        case 0 -> sb.insert(at, c);
        case 1 -> {
          if (at < sb.length()) {
            sb.deleteCharAt(at);
          }
        }
        default -> {
          if (at < sb.length()) {
            sb.setCharAt(at, c);
          }
        }
      }
    }
    return sb.toString();
  }

  @Test
  void headersNeverThrowAnythingElse() {
    Random r = new Random(20261122);
    int failures = 0;
    for (int i = 0; i < 50_000; i++) {
      int h = r.nextInt(HEADERS.length);
      String value = r.nextInt(4) == 0 ? randomString(r) : mutate(r, SEEDS[h]);
      try {
        GripInstruction.parse(Map.of(HEADERS[h], List.of(value)), null);
      } catch (GripInstructionException e) {
        failures++;
        assertThat(e.getMessage()).startsWith(HEADERS[h] + ": ").doesNotContain("\n", "\r", "\u0000");
      }
    }
    assertThat(failures).as("the mutations do reach the error paths").isGreaterThan(1000);
  }

  @Test
  void jsonBodiesNeverThrowAnythingElse() {
    Random r = new Random(7);
    String valid = "{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"a\", \"filters\": [\"x\"]}],"
        + " \"timeout\": 30, \"keep-alive\": {\"content-bin\": \"aGk=\", \"timeout\": 10}, \"meta\": {\"u\": \"1\"}},"
        + " \"response\": {\"code\": 200, \"headers\": [[\"A\", \"b\"]], \"body\": \"x\"}}";
    Map<String, List<String>> type = Map.of("Content-Type", List.of(GripInstruction.CONTENT_TYPE));
    for (int i = 0; i < 30_000; i++) {
      byte[] body = i % 5 == 0 ? randomBytes(r) : mutate(r, valid).getBytes(StandardCharsets.UTF_8);
      try {
        GripInstruction.parse(type, body);
      } catch (GripInstructionException e) {
        assertThat(e.header()).isEqualTo("body");
      }
    }
  }

  @Test
  void gripSigVerifyNeverThrowsAndAcceptsOnlyRealTokens() {
    Random r = new Random(99);
    byte[] key = "key".getBytes(StandardCharsets.UTF_8);
    Instant now = Instant.ofEpochSecond(1_800_000_000L);
    String token = GripSig.sign("iss", key, now);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      String t = i % 3 == 0 ? randomString(r) : mutate(r, token);
      if (GripSig.verify(t, key, now)) {
        accepted++;
        assertThat(t).isEqualTo(token);
      }
    }
    assertThat(accepted).isLessThan(20_000);
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(40);
    for (int i = 0; i < n; i++) {
      sb.append(r.nextBoolean() ? ALPHABET.charAt(r.nextInt(ALPHABET.length())) : (char) r.nextInt(0x3000));
    }
    return sb.toString();
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(64)];
    r.nextBytes(b);
    return b;
  }
}
