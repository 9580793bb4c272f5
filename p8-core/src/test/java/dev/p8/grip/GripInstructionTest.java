package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GripInstructionTest {

  private static Map<String, List<String>> headers(String... nameValues) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.computeIfAbsent(nameValues[i], k -> new java.util.ArrayList<>()).add(nameValues[i + 1]);
    }
    return h;
  }

  private static GripInstruction parse(String... nameValues) throws GripInstructionException {
    return GripInstruction.parse(headers(nameValues), new byte[0]);
  }

  @Test
  void detectsInstructionsByAnyGripHeaderOrTheJsonType() {
    assertThat(GripInstruction.isInstruct(headers("grip-channel", "x"))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("GRIP-Whatever", "x"))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("content-type", "application/grip-instruct; charset=utf-8"))).isTrue();
    assertThat(GripInstruction.isInstruct(headers("Content-Type", "text/plain", "Gripper", "x"))).isFalse();
  }

  @Test
  void aStreamHoldWithChannelsAndKeepAlive() throws Exception {
    GripInstruction g = parse(
        "Grip-Hold", "stream",
        "Grip-Channel", "a, b; prev-id=7; filter=skip-self; filter=build-id",
        "grip-channel", "\"c,d\"",
        "Grip-Keep-Alive", "\\x3a ping\\n\\n; format=cstring; timeout=20; mode=interval");
    assertThat(g.hold()).contains(HoldMode.STREAM);
    assertThat(g.channels()).containsExactly(
        ChannelSubscription.of("a"),
        new ChannelSubscription("b", "7", List.of("skip-self", "build-id")),
        ChannelSubscription.of("c,d"));
    KeepAlive ka = g.keepAlive().orElseThrow();
    assertThat(new String(ka.content(), StandardCharsets.UTF_8)).isEqualTo(": ping\n\n");
    assertThat(ka.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(ka.mode()).isEqualTo(KeepAliveMode.INTERVAL);
  }

  @Test
  void defaultsWhenOnlyHoldAndChannelAreGiven() throws Exception {
    GripInstruction g = parse("Grip-Hold", "response", "Grip-Channel", "c");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.timeout()).isEqualTo(GripInstruction.DEFAULT_TIMEOUT);
    assertThat(g.keepAlive()).isEmpty();
    assertThat(g.status()).isEmpty();
    assertThat(g.nextLink()).isEmpty();
    assertThat(g.meta()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0,5", "4,5", "5,5", "30,30", "3600,3600"})
  void timeoutIsClampedToFiveSeconds(String given, long expected) throws Exception {
    assertThat(parse("Grip-Timeout", given).timeout()).isEqualTo(Duration.ofSeconds(expected));
  }

  @Test
  void keepAliveFormatsAndDefaults() throws Exception {
    KeepAlive raw = parse("Grip-Keep-Alive", "\"hi; there\"").keepAlive().orElseThrow();
    assertThat(new String(raw.content(), StandardCharsets.UTF_8)).isEqualTo("hi; there");
    assertThat(raw.timeout()).isEqualTo(GripInstruction.DEFAULT_KEEP_ALIVE_TIMEOUT);
    assertThat(raw.mode()).isEqualTo(KeepAliveMode.IDLE);
    KeepAlive b64 = parse("Grip-Keep-Alive", "AAEC; format=base64").keepAlive().orElseThrow();
    assertThat(b64.content()).containsExactly(0, 1, 2);
  }

  @Test
  void statusLinksMetaAndExposedHeaders() throws Exception {
    GripInstruction g = parse(
        "Grip-Status", "404 Not Here",
        "Grip-Link", "</next?a=1,2>; rel=next; timeout=30, </gone>; rel=gone",
        "Grip-Link", "</other>; rel=alternate",
        "Grip-Set-Meta", "user=alice, room=\"a,b\"",
        "Grip-Expose-Headers", "X-A, X-B");
    assertThat(g.status()).hasValue(404);
    assertThat(g.reason()).contains("Not Here");
    assertThat(g.nextLink()).contains(new GripLink("/next?a=1,2", "next", Duration.ofSeconds(30)));
    assertThat(g.goneLink()).contains(new GripLink("/gone", "gone", GripInstruction.DEFAULT_LINK_TIMEOUT));
    assertThat(g.meta()).containsEntry("user", "alice").containsEntry("room", "a,b");
    assertThat(g.exposeHeaders()).containsExactly("X-A", "X-B");
    assertThat(parse("Grip-Status", "200").reason()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Grip-Hold|forever|Grip-Hold: must be set to either 'response' or 'stream', not 'forever'",
      "Grip-Channel|a, ; b|Grip-Channel: empty channel name in 'a, ; b'",
      "Grip-Channel|\"unterminated|Grip-Channel: quoted string at index 0 is never closed in '\"unterminated'",
      "Grip-Channel|c; filter=a; filter=b; filter=c; filter=d; filter=e; filter=f|Grip-Channel: channel 'c' has 6 filters; at most 5 are allowed",
      "Grip-Timeout|-1|Grip-Timeout: '-1' is not a non-negative whole number of seconds",
      "Grip-Timeout|ten|Grip-Timeout: 'ten' is not a non-negative whole number of seconds",
      "Grip-Timeout|99999999999|Grip-Timeout: '99999999999' is over the maximum of 31536000 s",
      "Grip-Keep-Alive|; timeout=5|Grip-Keep-Alive: keep-alive data must not be empty",
      "Grip-Keep-Alive|x; format=rot13|Grip-Keep-Alive: format must be raw, cstring or base64, not 'rot13'",
      "Grip-Keep-Alive|x; mode=sometimes|Grip-Keep-Alive: mode must be idle or interval, not 'sometimes'",
      "Grip-Keep-Alive|x; timeout=0|Grip-Keep-Alive: '0' is below the minimum of 1 s",
      "Grip-Keep-Alive|a\\q; format=cstring|Grip-Keep-Alive: cstring has an unknown escape \\q at byte 1",
      "Grip-Keep-Alive|a\\x4; format=cstring|Grip-Keep-Alive: cstring has a \\x escape without two hex digits at byte 1",
      "Grip-Keep-Alive|!!!; format=base64|Grip-Keep-Alive: data is not valid base64",
      "Grip-Status|abc|Grip-Status: 'abc' does not start with a status code of 0-999",
      "Grip-Status|1000 Big|Grip-Status: '1000 Big' does not start with a status code of 0-999",
      "Grip-Link|</x>|Grip-Link: link '/x' has no rel",
      "Grip-Link|</x; rel=next|Grip-Link: '<' at index 0 is never closed by '>' in '</x; rel=next'",
      "Grip-Set-Meta|novalue|Grip-Set-Meta: expected name=value at index 0 in 'novalue'",
  })
  void invalidHeadersNameTheHeaderTheValueAndWhy(String header, String value, String message) {
    assertThatThrownBy(() -> parse(header, value))
        .isInstanceOf(GripInstructionException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((GripInstructionException) e).header()).isEqualTo(header));
  }

  @Test
  void longValuesAreCutShortInMessages() {
    String longValue = "x".repeat(500);
    assertThatThrownBy(() -> parse("Grip-Hold", longValue))
        .hasMessageContaining("'" + "x".repeat(60) + "...'")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  private static GripInstruction json(String body) throws GripInstructionException {
    return GripInstruction.parse(headers("Content-Type", "application/grip-instruct"), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theJsonForm() throws Exception {
    GripInstruction g = json("""
        {"hold": {"mode": "stream", "channels": [{"name": "a", "prev-id": "1", "filters": ["skip-self"]}, {"name": "b"}],
                  "timeout": 30, "keep-alive": {"content": ":\\n", "timeout": 10}, "meta": {"user": "u1"}},
         "response": {"code": 201, "reason": "Made", "headers": [["X-A", "1"], ["X-A", "2"]], "body-bin": "aGk="}}""");
    assertThat(g.hold()).contains(HoldMode.STREAM);
    assertThat(g.channels()).containsExactly(new ChannelSubscription("a", "1", List.of("skip-self")), ChannelSubscription.of("b"));
    assertThat(g.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(g.keepAlive().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(g.meta()).containsEntry("user", "u1");
    InstructResponse r = g.response().orElseThrow();
    assertThat(r.code()).isEqualTo(201);
    assertThat(r.reason()).isEqualTo("Made");
    assertThat(r.headers()).containsExactly(new Header("X-A", "1"), new Header("X-A", "2"));
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void theJsonFormDefaultsToAResponseHold() throws Exception {
    GripInstruction g = json("{\"hold\": {\"channels\": [{\"name\": \"a\"}]}, \"response\": {\"headers\": {\"X\": \"y\"}, \"body\": \"b\"}}");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.response().orElseThrow().code()).isEqualTo(200);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{|body: not valid JSON",
      "[]|body: must be a JSON object",
      "{\"hold\": 1}|body: hold must be an object",
      "{\"hold\": {}}|body: hold.channels must be a list of channels",
      "{\"hold\": {\"mode\": \"x\", \"channels\": []}}|body: hold.mode must be 'response' or 'stream', not 'x'",
      "{\"hold\": {\"channels\": [{\"name\": \"a\"}, {\"name\": 3}]}}|body: hold.channels[1].name must be a string",
      "{\"hold\": {\"channels\": [{\"name\": \"\"}]}}|body: hold.channels[0].name must be a non-empty string",
      "{\"hold\": {\"channels\": [], \"timeout\": \"x\"}}|body: hold.timeout must be a whole number of seconds from 0 to 31536000",
      "{\"hold\": {\"channels\": [], \"keep-alive\": {}}}|body: hold.keep-alive needs a non-empty content or content-bin",
      "{\"response\": {\"code\": 1000}}|body: response.code must be a whole number of 0-999",
      "{\"response\": {\"headers\": [[\"a\"]]}}|body: response.headers[0] must be a [name, value] pair of strings",
      "{\"response\": {\"body-bin\": \"***\"}}|body: response.body-bin is not valid base64",
  })
  void invalidJsonNamesTheField(String body, String message) {
    assertThatThrownBy(() -> json(body)).isInstanceOf(GripInstructionException.class).hasMessage(message);
  }
}
