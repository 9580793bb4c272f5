package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The header form (GRIP.md section 1.1); the JSON form is in {@link GripInstructionJsonTest}. */
class GripInstructionTest {

  static Map<String, List<String>> headers(String... nameValues) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
    }
    return h;
  }

  private static GripInstruction parse(String... nameValues) throws GripInstructionException {
    return GripInstruction.parse(headers(nameValues), null);
  }

  /** Shows the part of an instruction that one header sets, so a table row can name it. */
  private static String render(String header, GripInstruction g) {
    return switch (header) {
      case "Grip-Hold" -> String.valueOf(g.hold().orElse(null));
      case "Grip-Channel" -> g.channels().stream()
          .map(c -> c.name() + (c.prevId() == null ? "" : " prev=" + c.prevId())
              + (c.filters().isEmpty() ? "" : " filters=" + String.join("+", c.filters())))
          .collect(Collectors.joining(" / "));
      case "Grip-Timeout" -> String.valueOf(g.timeout().toSeconds());
      case "Grip-Keep-Alive" -> g.keepAlive()
          .map(k -> hex(k.content()) + " " + k.timeout().toSeconds() + " " + k.mode())
          .orElse("none");
      case "Grip-Status" -> g.status().isPresent() ? g.status().getAsInt() + g.reason().map(r -> " " + r).orElse("")
          : "none";
      case "Grip-Link" -> g.nextLink().map(l -> "next " + l.uri() + " " + l.timeout().toSeconds()).orElse("")
          + g.goneLink().map(l -> " gone " + l.uri()).orElse("");
      case "Grip-Set-Meta" -> g.meta().toString();
      case "Grip-Expose-Headers" -> String.join(" / ", g.exposeHeaders());
      default -> throw new IllegalArgumentException(header);
    };
  }

  /** Bytes as text where printable, so table rows stay readable; others as {xx}. */
  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int v = b & 0xff;
      sb.append(v > 0x20 && v < 0x7f && v != '{' ? String.valueOf((char) v) : String.format("{%02x}", v));
    }
    return sb.toString();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "Grip-Hold|response|RESPONSE",
      "Grip-Hold|stream|STREAM",
      "Grip-Hold|` stream `|STREAM",
      // Pushpin's own test cases (src/handler/instructtest.cpp).
      "Grip-Channel|banana, cherry|banana / cherry",
      "Grip-Channel|apple; prev-id=item1; filter=f1|apple prev=item1 filters=f1",
      "Grip-Channel|banana; filter=f2, cherry; filter=f1; filter=f2|banana filters=f2 / cherry filters=f1+f2",
      "Grip-Channel|c; prev-id=\"a,b;c\\\"d\"|c prev=a,b;c\"d",
      "Grip-Channel|c; PREV-ID = 7 ; Filter=x|c prev=7 filters=x",
      "Grip-Channel|c; prev-id=|c prev=",
      "Grip-Channel|c; bare; other=1|c",
      "Grip-Channel|a,,b,|a / b",
      "Grip-Channel|\"c,d\"|\"c,d\"",
      "Grip-Channel|c; filter=a; filter=b; filter=c; filter=d; filter=e|c filters=a+b+c+d+e",
      "Grip-Channel|café|café",
      "Grip-Timeout|0|5",
      "Grip-Timeout|4|5",
      "Grip-Timeout|5|5",
      "Grip-Timeout|120|120",
      "Grip-Timeout|+30|30",
      "Grip-Timeout|2147483647|2147483647",
      "Grip-Keep-Alive|ping1\\n; timeout=10|ping1\\n 10 IDLE",
      "Grip-Keep-Alive|ping2\\n; format=cstring|ping2{0a} 55 IDLE",
      "Grip-Keep-Alive|cGluZzMK; format=base64|ping3{0a} 55 IDLE",
      "Grip-Keep-Alive|ping4\\n; mode=interval|ping4\\n 55 INTERVAL",
      "Grip-Keep-Alive|\\x00\\\\\\r\\xfF; format=cstring; mode=idle|{00}\\{0d}{ff} 55 IDLE",
      "Grip-Keep-Alive|\"a; b, c\"; timeout=7|a;{20}b,{20}c 7 IDLE",
      "Grip-Keep-Alive|a\"b\"; timeout=3|a\"b\" 3 IDLE",
      "Grip-Keep-Alive|\"open; timeout=3|\"open 3 IDLE",
      "Grip-Keep-Alive|\"x\" y; timeout=1|\"x\"{20}y 1 IDLE",
      "Grip-Keep-Alive|x, y; timeout=0|x,{20}y 1 IDLE",
      "Grip-Keep-Alive|x; format=; mode=|x 55 IDLE",
      "Grip-Keep-Alive|x; FORMAT=RAW; MODE=INTERVAL|x 55 INTERVAL",
      "Grip-Keep-Alive|é|{e9} 55 IDLE",
      "Grip-Keep-Alive|€|{e2}{82}{ac} 55 IDLE",
      "Grip-Keep-Alive|`  `|none",
      "Grip-Status|404 Not Found|404 Not Found",
      "Grip-Status|200|200",
      "Grip-Status|0|0",
      "Grip-Status|` 999 A  Long  Reason `|999 A  Long  Reason",
      "Grip-Status|`  `|none",
      "Grip-Link|</a>; rel=next|next /a 120",
      "Grip-Link|</a>; rel=next; timeout=30|next /a 30",
      "Grip-Link|<http://example.com/a?x=1,2;y>; rel=next; timeout=0, </g>; rel=gone|next http://example.com/a?x=1,2;y 1 gone /g",
      "Grip-Link|</x>|",
      "Grip-Link|</x>; rel=alternate|",
      "Grip-Link|junk|",
      "Grip-Link|</g>; rel=gone; timeout=soon|` gone /g`",
      "Grip-Link|</1>; rel=next, </2>; rel=next|next /2 120",
      "Grip-Set-Meta|foo=bar, bar=baz|{foo=bar, bar=baz}",
      "Grip-Set-Meta|room=\"a,b\"; ignored=1|{room=a,b}",
      "Grip-Set-Meta|novalue, a=1, a=2|{novalue=, a=2}",
      "Grip-Expose-Headers|X-A, X-B,,x-c|X-A / X-B / x-c",
  })
  void validHeaders(String header, String value, String expected) throws Exception {
    assertThat(render(header, parse(header, value))).isEqualTo(expected == null ? "" : expected);
  }

  @Test
  void headerNamesMayComeInAnyCaseAndRepeat() throws Exception {
    GripInstruction g = parse(
        "grip-hold", "stream",
        "GRIP-CHANNEL", "a, b",
        "Grip-Channel", "c",
        "grip-link", "</g>; rel=gone",
        "Grip-Link", "</n>; rel=next");
    assertThat(g.hold()).contains(HoldMode.STREAM);
    assertThat(g.channels()).extracting(ChannelSubscription::name).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(g.nextLink()).contains(new GripLink("/n", "next", GripInstruction.DEFAULT_LINK_TIMEOUT));
    assertThat(g.goneLink()).contains(new GripLink("/g", "gone", GripInstruction.DEFAULT_LINK_TIMEOUT));
  }

  @Test
  void theFirstValueOfASingleValuedHeaderCounts() throws Exception {
    GripInstruction g = parse("Grip-Hold", "stream", "Grip-Hold", "nonsense", "Grip-Timeout", "30", "Grip-Timeout", "x");
    assertThat(g.hold()).contains(HoldMode.STREAM);
    assertThat(g.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void defaultsWhenOnlyHoldAndChannelAreGiven() throws Exception {
    GripInstruction g = parse("Grip-Hold", "response", "Grip-Channel", "c", "Content-Type", "text/plain");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.channels()).containsExactly(ChannelSubscription.of("c"));
    assertThat(g.timeout()).isEqualTo(GripInstruction.DEFAULT_TIMEOUT);
    assertThat(g.keepAlive()).isEmpty();
    assertThat(g.status()).isEmpty();
    assertThat(g.reason()).isEmpty();
    assertThat(g.nextLink()).isEmpty();
    assertThat(g.goneLink()).isEmpty();
    assertThat(g.meta()).isEmpty();
    assertThat(g.exposeHeaders()).isEmpty();
    assertThat(g.response()).as("only the JSON form has a response").isEmpty();
  }

  @Test
  void channelsWithoutAHoldAndAHoldWithoutChannelsAreLeftToTheProxy() throws Exception {
    assertThat(parse("Grip-Channel", "c").hold()).isEmpty();
    assertThat(parse("Grip-Channel", "c").channels()).hasSize(1);
    assertThat(parse("Grip-Hold", "stream").channels()).isEmpty();
  }

  @Test
  void nullNamesAndValuesAreSkipped() throws Exception {
    Map<String, List<String>> h = new HashMap<>();
    h.put(null, List.of("HTTP/1.1 200 OK"));
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    withNull.add("c");
    h.put("Grip-Channel", withNull);
    h.put("Grip-Hold", null);
    assertThat(GripInstruction.parse(h, null).channels()).containsExactly(ChannelSubscription.of("c"));
    assertThat(GripInstruction.isInstruct(h)).isTrue();
  }

  @Test
  void theResultIsUnmodifiable() throws Exception {
    GripInstruction g = parse("Grip-Channel", "c", "Grip-Set-Meta", "a=1", "Grip-Expose-Headers", "X");
    assertThatThrownBy(() -> g.channels().add(ChannelSubscription.of("d"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> g.meta().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> g.exposeHeaders().clear()).isInstanceOf(UnsupportedOperationException.class);
    byte[] content = parse("Grip-Keep-Alive", "x").keepAlive().orElseThrow().content();
    content[0] = 'y';
    assertThat(parse("Grip-Keep-Alive", "x").keepAlive().orElseThrow().content()).containsExactly('x');
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "Grip-Hold|forever|Grip-Hold: must be set to either 'response' or 'stream', not 'forever'",
      "Grip-Hold|Stream|Grip-Hold: must be set to either 'response' or 'stream', not 'Stream'",
      "Grip-Hold|``|Grip-Hold: must be set to either 'response' or 'stream', not ''",
      "Grip-Channel|a; b, ; c|Grip-Channel: empty channel name in 'a; b, ; c'",
      "Grip-Channel|\"unterminated|Grip-Channel: quoted string at index 0 is never closed in '\"unterminated'",
      "Grip-Channel|c; prev-id=\"x\\|Grip-Channel: quoted string at index 11 is never closed in 'c; prev-id=\"x\\'",
      "Grip-Channel|c; prev-id=\"x\"y|Grip-Channel: expected ';' at index 14 in 'c; prev-id=\"x\"y'",
      "Grip-Channel|c; =x|Grip-Channel: parameter without a name at index 3 in 'c; =x'",
      "Grip-Channel|c; filter=|Grip-Channel: empty filter on channel 'c'",
      "Grip-Channel|c; filter=a; filter=b; filter=c; filter=d; filter=e; filter=f|Grip-Channel: channel 'c' has 6 filters; at most 5 are allowed",
      "Grip-Timeout|-1|Grip-Timeout: '-1' is not a non-negative whole number of seconds",
      "Grip-Timeout|ten|Grip-Timeout: 'ten' is not a non-negative whole number of seconds",
      "Grip-Timeout|1.5|Grip-Timeout: '1.5' is not a non-negative whole number of seconds",
      "Grip-Timeout|``|Grip-Timeout: '' is not a non-negative whole number of seconds",
      "Grip-Timeout|2147483648|Grip-Timeout: '2147483648' is over the maximum of 2147483647 s",
      "Grip-Keep-Alive|; timeout=5|Grip-Keep-Alive: data must not be empty",
      "Grip-Keep-Alive|\"\"; timeout=5|Grip-Keep-Alive: data must not be empty",
      "Grip-Keep-Alive|x; mode=sometimes|Grip-Keep-Alive: mode must be 'idle' or 'interval', not 'sometimes'",
      "Grip-Keep-Alive|x; timeout=-1|Grip-Keep-Alive: timeout '-1' is not a non-negative whole number of seconds",
      "Grip-Keep-Alive|x; timeout|Grip-Keep-Alive: timeout '' is not a non-negative whole number of seconds",
      "Grip-Keep-Alive|x; format=rot13|Grip-Keep-Alive: format must be 'raw', 'cstring' or 'base64', not 'rot13'",
      "Grip-Keep-Alive|a\\q; format=cstring|Grip-Keep-Alive: cstring data has an unknown escape (backslash, then byte 0x71) at index 1",
      "Grip-Keep-Alive|a\\t; format=cstring|Grip-Keep-Alive: cstring data has an unknown escape (backslash, then byte 0x74) at index 1",
      "Grip-Keep-Alive|a\\x4; format=cstring|Grip-Keep-Alive: cstring data has \\x without two hex digits at index 1",
      "Grip-Keep-Alive|a\\xg0; format=cstring|Grip-Keep-Alive: cstring data has \\x without two hex digits at index 1",
      "Grip-Keep-Alive|ab\\; format=cstring|Grip-Keep-Alive: cstring data ends with a lone backslash at index 2",
      "Grip-Keep-Alive|!!!; format=base64|Grip-Keep-Alive: data '!!!' is not valid base64",
      "Grip-Status|abc|Grip-Status: 'abc' does not start with a status code of 0-999",
      "Grip-Status|1000 Big|Grip-Status: '1000 Big' does not start with a status code of 0-999",
      "Grip-Status|-1 Minus|Grip-Status: '-1 Minus' does not start with a status code of 0-999",
      "Grip-Link|<>; rel=next|Grip-Link: expected <URL> at the start of '<>; rel=next'",
      "Grip-Link|/x; rel=next|Grip-Link: expected <URL> at the start of '/x; rel=next'",
      "Grip-Link|</x; rel=next|Grip-Link: '<' at index 0 is never closed by '>' in '</x; rel=next'",
      "Grip-Link|</x> junk; rel=next|Grip-Link: expected ';' at index 5 in '</x> junk; rel=next'",
      "Grip-Link|<  >; rel=next|Grip-Link: empty link in '<  >; rel=next'",
      "Grip-Link|</x>; rel=next; timeout=soon|Grip-Link: timeout 'soon' is not a non-negative whole number of seconds",
      "Grip-Set-Meta|=x|Grip-Set-Meta: parameter without a name at index 0 in '=x'",
      "Grip-Set-Meta|;|Grip-Set-Meta: expected name=value, not ';'",
  })
  void invalidHeadersNameTheHeaderTheValueAndWhy(String header, String value, String message) {
    assertThatThrownBy(() -> parse(header, value))
        .isInstanceOf(GripInstructionException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((GripInstructionException) e).header()).isEqualTo(header));
  }

  @Test
  void controlCharactersInLinksAreRefusedAndNotEchoed() {
    assertThatThrownBy(() -> parse("Grip-Link", "</a\u0001b>; rel=next"))
        .hasMessage("Grip-Link: link '/a?b' has a control character at index 2");
  }

  @Test
  void longValuesAreCutShortInMessages() {
    String longValue = "x".repeat(500);
    assertThatThrownBy(() -> parse("Grip-Hold", longValue))
        .hasMessage("Grip-Hold: must be set to either 'response' or 'stream', not '" + "x".repeat(60) + "...'");
    assertThatThrownBy(() -> parse("Grip-Channel", "\"" + "\u0000".repeat(300)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200).doesNotContain("\u0000"));
  }

  @Test
  void messagesNeverExceedTwoHundredCharacters() {
    GripInstructionException e = new GripInstructionException("Grip-Channel", "y".repeat(1000));
    assertThat(e.getMessage()).hasSize(200).endsWith("...");
    assertThat(e.header()).isEqualTo("Grip-Channel");
  }

  @Test
  void detectsInstructionsByAnyGripHeaderOrTheJsonType() {
    assertThat(GripInstruction.isInstruct(headers("grip-channel", "x"))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("GRIP-Whatever", ""))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("content-type", "Application/Grip-Instruct ; charset=utf-8"))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("Content-Type", "application/grip-instructions"))).isFalse();
    assertThat(GripInstruction.isInstruct(headers("Content-Type", "text/plain", "Gripper", "x", "X-Grip-A", "y")))
        .isFalse();
    assertThat(GripInstruction.isInstruct(Map.of())).isFalse();
  }
}
