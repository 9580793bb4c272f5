package dev.p8.grip;

import static dev.p8.grip.GripInstructionTest.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON form, {@code application/grip-instruct} (GRIP.md section 1.2). */
class GripInstructionJsonTest {

  private static GripInstruction json(String body, String... moreHeaders) throws GripInstructionException {
    Map<String, List<String>> h = headers(moreHeaders);
    h.put("Content-Type", List.of("application/grip-instruct"));
    return GripInstruction.parse(h, body.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void pushpinsOwnExample() throws Exception {
    GripInstruction g = json("{\"hold\":{\"mode\":\"response\",\"channels\":[{\"name\":\"test\"}],\"timeout\":120,"
        + "\"meta\":{\"foo\":\"bar\",\"bar\":\"baz\"}},\"response\":{\"code\": 200,"
        + "\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\"hello world\"}}");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.channels()).containsExactly(ChannelSubscription.of("test"));
    assertThat(g.timeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(g.meta()).containsExactly(Map.entry("foo", "bar"), Map.entry("bar", "baz"));
    assertThat(g.response()).contains(new InstructResponse(200, null, List.of(new Header("Content-Type", "text/plain")),
        "hello world".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void everyField() throws Exception {
    GripInstruction g = json("""
        {"hold": {"mode": "stream",
                  "channels": [{"name": "a", "prev-id": "1", "filters": ["skip-self", "build-id"]}, {"name": "b"}],
                  "timeout": 30, "keep-alive": {"content": ":\\n", "timeout": 10}, "meta": {"user": "u1"}},
         "response": {"code": 201, "reason": "Made", "headers": [["X-A", "1"], ["X-A", "2"]], "body": "ignored",
                      "body-bin": "aGk="}}""");
    assertThat(g.hold()).contains(HoldMode.STREAM);
    assertThat(g.channels()).containsExactly(
        new ChannelSubscription("a", "1", List.of("skip-self", "build-id")), ChannelSubscription.of("b"));
    assertThat(g.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(g.keepAlive()).contains(KeepAlive.of(":\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10),
        KeepAliveMode.INTERVAL));
    assertThat(g.meta()).containsExactly(Map.entry("user", "u1"));
    InstructResponse r = g.response().orElseThrow();
    assertThat(r.code()).isEqualTo(201);
    assertThat(r.reason()).isEqualTo("Made");
    assertThat(r.headers()).containsExactly(new Header("X-A", "1"), new Header("X-A", "2"));
    assertThat(text(r.body())).as("body-bin wins, as in Pushpin").isEqualTo("hi");
  }

  @Test
  void aHoldDefaultsToResponseAndTheResponseToAnEmpty200() throws Exception {
    GripInstruction g = json("{\"hold\": {\"channels\": [{\"name\": \"a\"}]}}");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.timeout()).isEqualTo(GripInstruction.DEFAULT_TIMEOUT);
    assertThat(g.keepAlive()).isEmpty();
    assertThat(g.response()).as("the instruct body itself is never sent")
        .contains(new InstructResponse(200, null, List.of(), new byte[0]));
  }

  @Test
  void noHoldIsAPlainResponse() throws Exception {
    GripInstruction g = json("{\"response\": {\"body\": \"just this\"}}");
    assertThat(g.hold()).isEmpty();
    assertThat(text(g.response().orElseThrow().body())).isEqualTo("just this");
    assertThat(json("{}").response()).contains(new InstructResponse(200, null, List.of(), new byte[0]));
  }

  @Test
  void gripHeadersAreReadToo() throws Exception {
    GripInstruction g = json("{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"json\"}], \"meta\": {\"a\": \"2\"}}}",
        "Grip-Hold", "response",
        "Grip-Channel", "header",
        "Grip-Set-Meta", "a=1, b=1",
        "Grip-Link", "</next>; rel=next");
    assertThat(g.hold()).as("the JSON hold wins").contains(HoldMode.STREAM);
    assertThat(g.channels()).extracting(ChannelSubscription::name).containsExactly("header", "json");
    assertThat(g.meta()).containsExactly(Map.entry("a", "2"), Map.entry("b", "1"));
    assertThat(g.nextLink()).map(GripLink::uri).contains("/next");
  }

  @Test
  void gripStatusIsTheDefaultCodeAndAJsonCodeReplacesItsReason() throws Exception {
    InstructResponse headerOnly = json("{}", "Grip-Status", "404 Gone Away").response().orElseThrow();
    assertThat(headerOnly.code()).isEqualTo(404);
    assertThat(headerOnly.reason()).isEqualTo("Gone Away");
    InstructResponse jsonCode = json("{\"response\": {\"code\": 202}}", "Grip-Status", "404 Gone Away")
        .response().orElseThrow();
    assertThat(jsonCode.code()).isEqualTo(202);
    assertThat(jsonCode.reason()).isNull();
    InstructResponse jsonReason = json("{\"response\": {\"reason\": \"Mine\"}}", "Grip-Status", "404 Gone Away")
        .response().orElseThrow();
    assertThat(jsonReason.code()).isEqualTo(404);
    assertThat(jsonReason.reason()).isEqualTo("Mine");
  }

  @Test
  void aJsonKeepAliveTakesTheHeaderModeAndData() throws Exception {
    KeepAlive onlyTimeout = json("{\"hold\": {\"mode\": \"stream\", \"channels\": [], \"keep-alive\": {\"timeout\": 0}}}",
        "Grip-Keep-Alive", "ka; timeout=30").keepAlive().orElseThrow();
    assertThat(text(onlyTimeout.content())).isEqualTo("ka");
    assertThat(onlyTimeout.timeout()).as("raised to the 1 s minimum").isEqualTo(Duration.ofSeconds(1));
    assertThat(onlyTimeout.mode()).isEqualTo(KeepAliveMode.IDLE);

    KeepAlive replaced = json("{\"hold\": {\"channels\": [], \"keep-alive\": {\"content-bin\": \"AAE=\"}}}",
        "Grip-Keep-Alive", "ka; mode=interval").keepAlive().orElseThrow();
    assertThat(replaced.content()).containsExactly(0, 1);
    assertThat(replaced.timeout()).isEqualTo(GripInstruction.DEFAULT_KEEP_ALIVE_TIMEOUT);
    assertThat(replaced.mode()).isEqualTo(KeepAliveMode.INTERVAL);

    assertThat(json("{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": \"\"}}}").keepAlive())
        .as("empty content sends nothing, so there is no keep-alive").isEmpty();
    assertThat(json("{\"hold\": {\"channels\": [], \"keep-alive\": {}}}").keepAlive()).isEmpty();
  }

  @Test
  void numbersAreReadAsPushpinReadsThem() throws Exception {
    assertThat(json("{\"hold\": {\"channels\": [], \"timeout\": \"30\"}}").timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(json("{\"hold\": {\"channels\": [], \"timeout\": 30.9}}").timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(json("{\"hold\": {\"channels\": [], \"timeout\": 1}}").timeout()).isEqualTo(GripInstruction.MIN_TIMEOUT);
    assertThat(json("{\"response\": {\"code\": 204.0}}").response().orElseThrow().code()).isEqualTo(204);
  }

  @Test
  void nullMeansAbsent() throws Exception {
    GripInstruction g = json("{\"hold\": {\"mode\": null, \"channels\": [{\"name\": \"a\", \"prev-id\": null,"
        + " \"filters\": null}], \"timeout\": null, \"keep-alive\": null, \"meta\": null}, \"response\": null}");
    assertThat(g.hold()).contains(HoldMode.RESPONSE);
    assertThat(g.channels()).containsExactly(ChannelSubscription.of("a"));
    assertThat(json("{\"hold\": null}").hold()).isEmpty();
  }

  @Test
  void aUtf8BodyKeepsItsCharacters() throws Exception {
    GripInstruction g = json("{\"hold\": {\"channels\": [{\"name\": \"caf\u00e9\"}]}, \"response\": {\"body\": \"\u20ac\"}}");
    assertThat(g.channels().get(0).name()).isEqualTo("caf\u00e9");
    assertThat(g.response().orElseThrow().body()).containsExactly(0xe2, 0x82, 0xac);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "``|body: the instruction is empty; expected a JSON object",
      "{|body: not valid JSON at line 1, column 2",
      "{\"a\": 1} x|body: not valid JSON at line 1, column 11",
      "[]|body: the instruction must be a JSON object",
      "\"hold\"|body: the instruction must be a JSON object",
      "{\"hold\": 1}|body: hold must be an object",
      "{\"hold\": {}}|body: hold.channels is required",
      "{\"hold\": {\"channels\": {}}}|body: hold.channels must be a list",
      "{\"hold\": {\"mode\": \"x\", \"channels\": []}}|body: hold.mode must be 'response' or 'stream', not 'x'",
      "{\"hold\": {\"mode\": 1, \"channels\": []}}|body: hold.mode must be a string",
      "{\"hold\": {\"channels\": [\"a\"]}}|body: hold.channels[0] must be an object",
      "{\"hold\": {\"channels\": [{\"name\": \"a\"}, {\"name\": 3}]}}|body: hold.channels[1].name must be a string",
      "{\"hold\": {\"channels\": [{}]}}|body: hold.channels[0].name is required",
      "{\"hold\": {\"channels\": [{\"name\": \"\"}]}}|body: hold.channels[0].name must not be empty",
      "{\"hold\": {\"channels\": [{\"name\": \"a\", \"prev-id\": 1}]}}|body: hold.channels[0].prev-id must be a string",
      "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": \"f\"}]}}|body: hold.channels[0].filters must be a list",
      "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"f\", 2]}]}}|body: hold.channels[0].filters[1] must be a string",
      "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"\"]}]}}|body: hold.channels[0].filters[0] must not be empty",
      "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}]}}|body: hold.channels[0].filters has 6 entries; at most 5 are allowed",
      "{\"hold\": {\"channels\": [], \"timeout\": \"x\"}}|body: hold.timeout must be a whole number of seconds from 0 to 2147483647",
      "{\"hold\": {\"channels\": [], \"timeout\": -1}}|body: hold.timeout must be a whole number of seconds from 0 to 2147483647",
      "{\"hold\": {\"channels\": [], \"timeout\": true}}|body: hold.timeout must be a whole number of seconds from 0 to 2147483647",
      "{\"hold\": {\"channels\": [], \"timeout\": 1e10}}|body: hold.timeout must be a whole number of seconds from 0 to 2147483647",
      "{\"hold\": {\"channels\": [], \"keep-alive\": \"x\"}}|body: hold.keep-alive must be an object",
      "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": 1}}}|body: hold.keep-alive.content must be a string",
      "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content-bin\": \"%%\"}}}|body: hold.keep-alive.content-bin is not valid base64",
      "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": \"x\", \"timeout\": []}}}|body: hold.keep-alive.timeout must be a whole number of seconds from 0 to 2147483647",
      "{\"hold\": {\"channels\": [], \"meta\": []}}|body: hold.meta must be an object",
      "{\"hold\": {\"channels\": [], \"meta\": {\"user\": 1}}}|body: hold.meta.'user' must be a string",
      "{\"response\": []}|body: response must be an object",
      "{\"response\": {\"code\": 1000}}|body: response.code must be a whole number from 0 to 999",
      "{\"response\": {\"code\": \"two hundred\"}}|body: response.code must be a whole number from 0 to 999",
      "{\"response\": {\"reason\": 1}}|body: response.reason must be a string",
      "{\"response\": {\"headers\": \"X: y\"}}|body: response.headers must be an object or a list of [name, value] pairs",
      "{\"response\": {\"headers\": [[\"a\"]]}}|body: response.headers[0] must be a [name, value] pair of strings",
      "{\"response\": {\"headers\": [[\"a\", \"b\"], [\"a\", 1]]}}|body: response.headers[1] must be a [name, value] pair of strings",
      "{\"response\": {\"headers\": [[\"\", \"b\"]]}}|body: response.headers[0] has an empty header name",
      "{\"response\": {\"headers\": {\"\": \"b\"}}}|body: response.headers has an empty header name",
      "{\"response\": {\"headers\": {\"X-A\": 1}}}|body: response.headers.'X-A' must be a string",
      "{\"response\": {\"body\": {}}}|body: response.body must be a string",
      "{\"response\": {\"body-bin\": \"***\"}}|body: response.body-bin is not valid base64",
  })
  void invalidJsonNamesTheFieldPath(String body, String message) {
    assertThatThrownBy(() -> json(body))
        .isInstanceOf(GripInstructionException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((GripInstructionException) e).header()).isEqualTo("body"));
  }

  @Test
  void invalidUtf8IsNotJson() {
    Map<String, List<String>> h = Map.of("Content-Type", List.of("application/grip-instruct"));
    assertThatThrownBy(() -> GripInstruction.parse(h, new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}))
        .isInstanceOf(GripInstructionException.class)
        .hasMessageStartingWith("body: not valid JSON");
    assertThatThrownBy(() -> GripInstruction.parse(h, null))
        .hasMessage("body: the instruction is empty; expected a JSON object");
  }

  @Test
  void aHeaderErrorIsReportedBeforeTheBodyIsRead() {
    assertThatThrownBy(() -> json("not json", "Grip-Timeout", "x"))
        .isInstanceOf(GripInstructionException.class)
        .satisfies(e -> assertThat(((GripInstructionException) e).header()).isEqualTo("Grip-Timeout"));
  }

  @Test
  void longKeysAreCutShortInMessages() {
    String key = "k".repeat(500);
    assertThatThrownBy(() -> json("{\"hold\": {\"channels\": [], \"meta\": {\"" + key + "\": 1}}}"))
        .hasMessage("body: hold.meta.'" + "k".repeat(60) + "...' must be a string");
  }
}
