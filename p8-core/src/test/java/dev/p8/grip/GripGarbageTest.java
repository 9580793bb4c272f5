package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever a backend sends, {@link GripInstruction#parse} answers with a value or its one
 * documented exception, and {@link GripSig#verify} with false. Seeded, so a failure repeats.
 */
class GripGarbageTest {

  private static final String[] HEADERS = {"Grip-Hold", "Grip-Channel", "Grip-Timeout", "Grip-Keep-Alive",
      "Grip-Status", "Grip-Link", "Grip-Set-Meta", "Grip-Expose-Headers"};
  private static final String[][] SEEDS = {
      {"stream", "response"},
      {"a, b; prev-id=1; filter=x", "c; prev-id=\"q,\\\"r\"; filter=f1; filter=f2", "\"c,d\""},
      {"30", "+0"},
      {"\\x3a\\n; format=cstring; timeout=20; mode=interval", "\"a; b\"; timeout=1", "aGk=; format=base64"},
      {"404 Not Found", "200"},
      {"</n?a=1,2>; rel=next; timeout=9, </g>; rel=gone", "<http://h/x;y>; rel=next"},
      {"user=a, room=\"x,y\"", "novalue"},
      {"X-A, X-B"}};
  private static final String ALPHABET = "ab;,=\"\\<> \t\r\n\u0000\u00e9\u20acxX0123456789-+";

  @Test
  void headersYieldAValueOrTheDocumentedException() {
    Random r = new Random(20261122);
    int failures = 0;
    for (int i = 0; i < 60_000; i++) {
      int h = r.nextInt(HEADERS.length);
      String[] seeds = SEEDS[h];
      String value = r.nextInt(5) == 0 ? randomString(r) : mutate(r, seeds[r.nextInt(seeds.length)]);
      if (parseReports(Map.of(HEADERS[h], List.of(value)), null, HEADERS[h])) {
        failures++;
      }
    }
    assertThat(failures).as("the inputs do reach the error paths").isGreaterThan(5_000).isLessThan(55_000);
  }

  @Test
  void manyHeadersAtOnceYieldAValueOrTheDocumentedException() {
    Random r = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      int n = 1 + r.nextInt(6);
      for (int j = 0; j < n; j++) {
        int h = r.nextInt(HEADERS.length);
        String name = r.nextBoolean() ? HEADERS[h] : HEADERS[h].toLowerCase(java.util.Locale.ROOT);
        String[] seeds = SEEDS[h];
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(mutate(r, seeds[r.nextInt(seeds.length)]));
      }
      parseReports(headers, null, null);
    }
  }

  @Test
  void jsonBodiesYieldAValueOrTheDocumentedException() {
    Random r = new Random(7);
    String valid = "{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"a\", \"prev-id\": \"1\","
        + " \"filters\": [\"x\"]}], \"timeout\": 30, \"keep-alive\": {\"content-bin\": \"aGk=\", \"timeout\": 10},"
        + " \"meta\": {\"u\": \"1\"}}, \"response\": {\"code\": 200, \"reason\": \"OK\","
        + " \"headers\": [[\"A\", \"b\"]], \"body\": \"x\"}}";
    String objectHeaders = "{\"response\": {\"headers\": {\"A\": \"b\"}, \"body-bin\": \"aGk=\"}}";
    Map<String, List<String>> type = Map.of("Content-Type", List.of(GripInstruction.CONTENT_TYPE));
    int failures = 0;
    for (int i = 0; i < 40_000; i++) {
      byte[] body = switch (i % 6) {
        case 0 -> randomBytes(r);
        case 1 -> mutate(r, objectHeaders).getBytes(StandardCharsets.UTF_8);
        default -> mutate(r, valid).getBytes(StandardCharsets.UTF_8);
      };
      if (parseReports(type, body, "body")) {
        failures++;
      }
    }
    assertThat(failures).as("the inputs do reach the error paths").isGreaterThan(5_000).isLessThan(38_000);
  }

  @Test
  void gripSigVerifyNeverThrowsAndAcceptsOnlyTheRealToken() {
    Random r = new Random(99);
    byte[] key = "key".getBytes(StandardCharsets.UTF_8);
    Instant now = Instant.ofEpochSecond(1_800_000_000L);
    String token = GripSig.sign("iss", key, now);
    for (int i = 0; i < 30_000; i++) {
      String t = i % 3 == 0 ? randomString(r) : mutateToken(r, token);
      boolean accepted;
      try {
        accepted = GripSig.verify(t, key, now) | GripSig.verify(t, key, "iss", now);
      } catch (RuntimeException e) {
        throw new AssertionError("verify threw on " + t, e);
      }
      if (accepted) {
        assertThat(t).isEqualTo(token);
      }
    }
  }

  /** Returns true when parse reported an error; fails the test when anything else escapes. */
  private static boolean parseReports(Map<String, List<String>> headers, byte[] body, String header) {
    try {
      GripInstruction.parse(headers, body);
      return false;
    } catch (GripInstructionException e) {
      if (header != null) {
        assertThat(e.header()).isEqualTo(header);
        assertThat(e.getMessage()).startsWith(header + ": ");
      }
      assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200).doesNotContain("\n", "\r", "\u0000");
      return true;
    } catch (RuntimeException | StackOverflowError e) {
      fail("parse threw " + e + " on headers " + headers + " and body "
          + (body == null ? "null" : new String(body, StandardCharsets.UTF_8)), e);
      return true;
    }
  }

  private static String mutate(Random r, String s) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = r.nextInt(sb.length() + 1);
      char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
      switch (r.nextInt(4)) {
        case 0 -> sb.insert(at, c);
        case 1 -> {
          if (at < sb.length()) {
            sb.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (at < sb.length()) {
            sb.setCharAt(at, c);
          }
        }
        default -> {
          // Duplicating a slice makes repeated parameters, nested brackets and long values.
          int end = Math.min(sb.length(), at + r.nextInt(12));
          sb.insert(at, sb.substring(at, end));
        }
      }
    }
    return sb.toString();
  }

  private static String mutateToken(Random r, String token) {
    StringBuilder sb = new StringBuilder(token);
    String alphabet = "AZaz09-_.=+/ ";
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits; i++) {
      int at = r.nextInt(sb.length());
      switch (r.nextInt(3)) {
        case 0 -> sb.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
        case 1 -> sb.deleteCharAt(at);
        default -> sb.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
      }
      if (sb.length() == 0) {
        sb.append('.');
      }
    }
    return sb.toString();
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(60);
    for (int i = 0; i < n; i++) {
      sb.append(r.nextBoolean() ? ALPHABET.charAt(r.nextInt(ALPHABET.length())) : (char) r.nextInt(0x10000));
    }
    return sb.toString();
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(80)];
    r.nextBytes(b);
    return b;
  }
}
