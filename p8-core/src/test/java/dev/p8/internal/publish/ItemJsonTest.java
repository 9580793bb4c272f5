package dev.p8.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ItemJsonTest {

  @Test
  void decodesTheFormatsLayout() throws Exception {
    List<Item> items = decode("{\"items\":[{\"channel\":\"test\",\"id\":\"2\",\"prev-id\":\"1\","
        + "\"meta\":{\"sender\":\"alice\"},\"no-seq\":true,\"size\":12,"
        + "\"formats\":{\"http-stream\":{\"content\":\"hello there\\n\"}}}]}");

    assertThat(items).containsExactly(Item.builder("test").id("2").prevId("1")
        .meta("sender", "alice").noSeq(true)
        .httpStream(HttpStreamFormat.send("hello there\n")).build());
  }

  @Test
  void decodesTheLegacyLayoutWithFormatsOnTheItem() throws Exception {
    List<Item> items = decode(
        "{\"items\":[{\"channel\":\"test\",\"http-stream\":{\"content\":\"hello there\\n\"}}]}");

    assertThat(items).containsExactly(Item.stream("test", "hello there\n"));
  }

  @Test
  void formatsObjectWinsOverLegacyKeys() throws Exception {
    // Pushpin reads the item-level keys only when "formats" is absent.
    List<Item> items = decode("{\"items\":[{\"channel\":\"c\","
        + "\"http-stream\":{\"content\":\"legacy\"},"
        + "\"formats\":{\"ws-message\":{\"content\":\"new\"}}}]}");

    assertThat(items).containsExactly(Item.message("c", "new"));
  }

  @Test
  void nullCountsAsAbsent() throws Exception {
    List<Item> items = decode("{\"items\":[{\"channel\":\"c\",\"id\":null,\"prev-id\":null,"
        + "\"meta\":null,\"size\":null,\"no-seq\":null,\"formats\":null,"
        + "\"http-response\":null,\"http-stream\":{\"action\":null,\"content\":\"x\"}}]}");

    assertThat(items).containsExactly(Item.stream("c", "x"));
  }

  @Test
  void decodesAFullHttpResponse() throws Exception {
    List<Item> items = decode("{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-response\":{"
        + "\"code\":404,\"reason\":\"Nope\",\"headers\":[[\"X-A\",\"1\"],[\"X-A\",\"2\"]],"
        + "\"content-filters\":[\"build-id\"],\"body\":\"gone\\n\"}}}]}");

    HttpResponseFormat expected = HttpResponseFormat.builder().code(404).reason("Nope")
        .header("X-A", "1").header("X-A", "2").body("gone\n").contentFilters(List.of("build-id"))
        .build();
    assertThat(items.get(0).httpResponse()).contains(expected);
  }

  @Test
  void httpResponseDefaultsToCode200AndAcceptsHeadersAsObject() throws Exception {
    HttpResponseFormat f = decodeOne("{\"http-response\":{\"headers\":{\"Content-Type\":"
        + "\"text/plain\"},\"body\":\"\"}}").httpResponse().orElseThrow();

    assertThat(f.code()).isEqualTo(200);
    assertThat(f.reason()).isEmpty();
    assertThat(f.headers()).containsExactly(new Header("Content-Type", "text/plain"));
  }

  @Test
  void wholeNumbersWrittenAsDoublesAreIntegers() throws Exception {
    // Some JSON writers emit every number as a double, as Pushpin's own parser reads them.
    HttpResponseFormat f = decodeOne("{\"http-response\":{\"code\":404.0,\"body\":\"\"}}")
        .httpResponse().orElseThrow();

    assertThat(f.code()).isEqualTo(404);
  }

  @Test
  void bodyBinWinsOverBodyAndBodyWinsOverBodyPatch() throws Exception {
    Item item = decodeOne("{\"http-response\":{\"body-bin\":\"AAH/\",\"body\":\"text\"},"
        + "\"http-stream\":{\"content\":\"x\",\"body-patch\":[]},"
        + "\"ws-message\":{\"content-bin\":\"AAH/\",\"content\":\"text\"}}");

    assertThat(item.httpResponse().orElseThrow().body()).containsExactly(0, 1, 0xff);
    assertThat(item.wsMessage()).contains(WsMessageFormat.binary(new byte[] {0, 1, (byte) 0xff}));
    Item withPatch = decodeOne("{\"http-response\":{\"body\":\"b\",\"body-patch\":[]}}");
    assertThat(withPatch.httpResponse().orElseThrow().body()).containsExactly('b');
    assertThat(withPatch.httpResponse().orElseThrow().bodyPatch()).isEmpty();
  }

  @Test
  void aBodyPatchIsKeptAsCompactJson() throws Exception {
    HttpResponseFormat f = decodeOne("{\"http-response\":{\"body-patch\":"
        + "[ {\"op\": \"remove\", \"path\": \"/a\"} ]}}").httpResponse().orElseThrow();
    assertThat(f.bodyPatch()).contains("[{\"op\":\"remove\",\"path\":\"/a\"}]");
    assertThat(f.body()).isEmpty();
  }

  @Test
  void base64IsDecodedLeniently() throws Exception {
    // Line-wrapped and unpadded base64 is what some libraries write, and Pushpin accepts it.
    Item item = decodeOne("{\"http-stream\":{\"content-bin\":\"aGVs\\nbG8\"}}");

    assertThat(item.httpStream().orElseThrow().content())
        .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesWsMessageTypesAndActions() throws Exception {
    assertThat(decodeOne("{\"ws-message\":{\"content\":\"hi\"}}").wsMessage())
        .contains(WsMessageFormat.text("hi"));
    assertThat(decodeOne("{\"ws-message\":{\"type\":\"binary\",\"content\":\"hi\"}}").wsMessage())
        .contains(WsMessageFormat.binary("hi".getBytes(StandardCharsets.UTF_8)));
    assertThat(decodeOne("{\"ws-message\":{\"type\":\"text\",\"content-bin\":\"aGk=\"}}")
        .wsMessage())
        .contains(WsMessageFormat.send(WsMessageFormat.Type.TEXT,
            "hi".getBytes(StandardCharsets.UTF_8)));
    assertThat(decodeOne("{\"ws-message\":{\"type\":\"ping\"}}").wsMessage())
        .contains(WsMessageFormat.send(WsMessageFormat.Type.PING, new byte[0]));
    assertThat(decodeOne("{\"ws-message\":{\"type\":\"pong\",\"content\":\"p\"}}").wsMessage())
        .contains(WsMessageFormat.send(WsMessageFormat.Type.PONG, new byte[] {'p'}));
    assertThat(decodeOne("{\"ws-message\":{\"action\":\"close\",\"code\":1001,"
        + "\"reason\":\"bye\"}}").wsMessage())
        .contains(WsMessageFormat.close(1001, "bye"));
    assertThat(decodeOne("{\"ws-message\":{\"action\":\"close\",\"reason\":\"bye\"}}")
        .wsMessage())
        .contains(WsMessageFormat.close());
    assertThat(decodeOne("{\"ws-message\":{\"action\":\"refresh\"}}").wsMessage())
        .contains(WsMessageFormat.refresh());
    assertThat(decodeOne("{\"ws-message\":{\"action\":\"hint\"}}").wsMessage())
        .contains(WsMessageFormat.hint());
  }

  @Test
  void fieldsTheActionDoesNotUseAreIgnored() throws Exception {
    Item item = decodeOne("{\"http-response\":{\"action\":\"hint\",\"code\":\"x\"},"
        + "\"http-stream\":{\"action\":\"close\",\"content\":5},"
        + "\"ws-message\":{\"action\":\"refresh\",\"type\":\"nope\"}}");

    assertThat(item.httpResponse().orElseThrow().action())
        .isEqualTo(HttpResponseFormat.Action.HINT);
    assertThat(item.httpStream()).contains(HttpStreamFormat.close());
    assertThat(item.wsMessage()).contains(WsMessageFormat.refresh());
    assertThat(decodeOne("{\"http-stream\":{\"action\":\"hint\"}}").httpStream())
        .contains(HttpStreamFormat.hint());
  }

  @Test
  void acceptsAnEmptyItemList() throws Exception {
    assertThat(decode("{\"items\":[]}")).isEmpty();
  }

  @Test
  void encodesTheCanonicalForm() {
    String json = new String(ItemJson.encodeItems(List.of(
        Item.stream("test", "hello\n"),
        Item.builder("c").id("2").prevId("1").meta("sender", "a").noSeq(true)
            .httpResponse(HttpResponseFormat.builder().code(404).header("X-A", "1")
                .body(new byte[] {(byte) 0xff}).build())
            .wsMessage(WsMessageFormat.close(1000, "done")).build())),
        StandardCharsets.UTF_8);

    assertThat(json).isEqualTo("{\"items\":["
        + "{\"channel\":\"test\",\"formats\":{\"http-stream\":{\"content\":\"hello\\n\"}}},"
        + "{\"channel\":\"c\",\"id\":\"2\",\"prev-id\":\"1\",\"meta\":{\"sender\":\"a\"},"
        + "\"no-seq\":true,\"formats\":{"
        + "\"http-response\":{\"code\":404,\"headers\":[[\"X-A\",\"1\"]],\"body-bin\":\"/w==\"},"
        + "\"ws-message\":{\"action\":\"close\",\"code\":1000,\"reason\":\"done\"}}}]}");
  }

  @Test
  void roundTripsEveryKindOfFormat() throws Exception {
    byte[] notUtf8 = {(byte) 0xc3, 0x28, 0, (byte) 0xff};
    List<Item> items = List.of(
        Item.stream("a", "x"),
        Item.response("b", "ok"),
        Item.message("c", "héllo ✓ 😀"),
        Item.builder("d").id("").prevId("p").meta("k", "v").meta("k2", "").noSeq(true)
            .httpResponse(HttpResponseFormat.builder().code(0).reason("Odd")
                .header("A", "").header("a", "b\tc").body(notUtf8).build())
            .httpStream(HttpStreamFormat.send(notUtf8))
            .wsMessage(WsMessageFormat.send(WsMessageFormat.Type.TEXT, notUtf8)).build(),
        Item.builder("e")
            .httpResponse(HttpResponseFormat.builder().action(HttpResponseFormat.Action.HINT)
                .build())
            .httpStream(HttpStreamFormat.close())
            .wsMessage(WsMessageFormat.send(WsMessageFormat.Type.PING, new byte[0])).build(),
        Item.builder("f").httpStream(HttpStreamFormat.hint())
            .wsMessage(WsMessageFormat.send(WsMessageFormat.Type.PONG, new byte[] {1})).build(),
        Item.builder("g").wsMessage(WsMessageFormat.binary(new byte[0])).build(),
        Item.builder("h").wsMessage(WsMessageFormat.close()).build(),
        Item.builder("i").wsMessage(WsMessageFormat.close(4000, null)).build(),
        Item.builder("j").wsMessage(WsMessageFormat.refresh()).build(),
        Item.builder("k").wsMessage(WsMessageFormat.hint()).build(),
        Item.builder("m").httpResponse(HttpResponseFormat.builder().body("b")
                .contentFilters(List.of("build-id", "var-subst")).build())
            .httpStream(HttpStreamFormat.send("s").withContentFilters(List.of()))
            .wsMessage(WsMessageFormat.text("w").withContentFilters(List.of("var-subst"))).build(),
        Item.builder("l").httpResponse(HttpResponseFormat.builder().code(201)
            .bodyPatch("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2},{\"op\":\"add\",\"path\":\"/s\",\"value\":\"t\"}]").build()).build());

    assertThat(ItemJson.decodeItems(ItemJson.encodeItems(items))).isEqualTo(items);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"items\":[]", "{} {}", "{\"items\":[]} x", "5",
      "\"items\"", "null", "true", "{items:[]}", "{\"items\":[],}", "[1,]"})
  void refusesBodiesThatAreNotJson(String body) {
    assertInvalid(body, "Body is not valid JSON.");
  }

  @Test
  void refusesBodiesThatAreNotUtf8() {
    byte[] body = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};

    assertThatThrownBy(() -> ItemJson.decodeItems(body))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage("Body is not valid JSON.");
  }

  @Test
  void refusesNestingDeeperThanJacksonAllows() {
    String deep = "[".repeat(5000) + "]".repeat(5000);

    assertInvalid("{\"items\":" + deep + "}", "Body is not valid JSON.");
  }

  @Test
  void refusesTooManyItems() {
    String item = "{\"channel\":\"c\",\"http-stream\":{\"content\":\"x\"}}";
    String body = "{\"items\":[" + (item + ",").repeat(ItemJson.MAX_ITEMS) + item + "]}";

    assertInvalid(body, "Invalid format: object contains 'items' with 10001 elements, more than"
        + " the maximum of 10000");
  }

  @Test
  void acceptsExactlyMaxItems() throws Exception {
    String item = "{\"channel\":\"c\",\"http-stream\":{\"content\":\"x\"}}";
    String body = "{\"items\":[" + (item + ",").repeat(ItemJson.MAX_ITEMS - 1) + item + "]}";

    assertThat(decode(body)).hasSize(ItemJson.MAX_ITEMS);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "[]|Invalid format.",
      "[{\"items\":[]}]|Invalid format.",
      "{}|Invalid format: object does not contain 'items'",
      "{\"item\":[]}|Invalid format: object does not contain 'items'",
      "{\"items\":{}}|Invalid format: object contains 'items' with wrong type",
      "{\"items\":null}|Invalid format: object contains 'items' with wrong type",
      "{\"items\":\"x\"}|Invalid format: object contains 'items' with wrong type",
  })
  void refusesBadEnvelopes(String body, String message) {
    assertInvalid(body, message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // the item itself
      "5|publish item object is not an object",
      "null|publish item object is not an object",
      "[]|publish item object is not an object",
      "{}|publish item object does not contain 'channel'",
      "{\"channel\":null,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'channel' with wrong type",
      "{\"channel\":1,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'channel' with wrong type",
      "{\"channel\":\"\",\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'channel' with empty value",
      "{\"channel\":\"c\",\"id\":1,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'id' with wrong type",
      "{\"channel\":\"c\",\"prev-id\":[],\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'prev-id' with wrong type",
      "{\"channel\":\"c\",\"formats\":[]}|publish item object contains 'formats' with wrong type",
      "{\"channel\":\"c\"}|no formats specified",
      "{\"channel\":\"c\",\"formats\":{}}|no formats specified",
      "{\"channel\":\"c\",\"formats\":{\"http-streams\":{}}}|no formats specified",
      "{\"channel\":\"c\",\"formats\":{\"http-stream\":null}}|no formats specified",
      "{\"channel\":\"c\",\"meta\":[],\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'meta' with wrong type",
      "{\"channel\":\"c\",\"meta\":{\"a\":\"1\",\"user\":2},\"http-stream\":{\"content\":\"x\"}}"
          + "|'meta' contains 'user' with wrong type",
      "{\"channel\":\"c\",\"meta\":{\"a\":\"1\",\"us\\ner\":null},"
          + "\"http-stream\":{\"content\":\"x\"}}|'meta' contains entry 1 with wrong type",
      "{\"channel\":\"c\",\"size\":\"1\",\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'size' with wrong type",
      "{\"channel\":\"c\",\"size\":-1,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'size' with invalid value",
      "{\"channel\":\"c\",\"size\":1.5,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'size' with invalid value",
      "{\"channel\":\"c\",\"size\":99999999999999999999999,\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'size' with invalid value",
      "{\"channel\":\"c\",\"no-seq\":\"true\",\"http-stream\":{\"content\":\"x\"}}"
          + "|publish item object contains 'no-seq' with wrong type",
      // actions, all formats
      "{\"channel\":\"c\",\"http-stream\":\"x\"}|'http-stream' is not an object",
      "{\"channel\":\"c\",\"formats\":{\"ws-message\":[]}}|'ws-message' is not an object",
      "{\"channel\":\"c\",\"http-response\":{\"action\":1}}"
          + "|'http-response' contains 'action' with wrong type",
      "{\"channel\":\"c\",\"http-stream\":{\"action\":\"stop\"}}"
          + "|'http-stream' contains 'action' with unknown value",
      "{\"channel\":\"c\",\"http-response\":{\"action\":\"close\"}}"
          + "|'http-response' contains 'action' with unsupported value 'close'",
      "{\"channel\":\"c\",\"http-stream\":{\"action\":\"refresh\"}}"
          + "|'http-stream' contains 'action' with unsupported value 'refresh'",
      // http-response
      "{\"channel\":\"c\",\"http-response\":{\"code\":\"200\",\"body\":\"\"}}"
          + "|'http-response' contains 'code' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"code\":1000,\"body\":\"\"}}"
          + "|'http-response' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"code\":-1,\"body\":\"\"}}"
          + "|'http-response' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"code\":200.5,\"body\":\"\"}}"
          + "|'http-response' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"code\":1e400,\"body\":\"\"}}"
          + "|'http-response' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"reason\":5,\"body\":\"\"}}"
          + "|'http-response' contains 'reason' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"reason\":\"a\\r\\nX: y\",\"body\":\"\"}}"
          + "|'http-response' contains 'reason' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":\"X: y\",\"body\":\"\"}}"
          + "|'http-response' contains 'headers' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A\",\"1\"],\"B\"],\"body\":\"\"}}"
          + "|'http-response' headers contains element 1 with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A\"]],\"body\":\"\"}}"
          + "|'http-response' headers contains list 0 with wrong number of elements",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A\",\"1\",\"2\"]],\"body\":\"\"}}"
          + "|'http-response' headers contains list 0 with wrong number of elements",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[1,\"1\"]],\"body\":\"\"}}"
          + "|'http-response' header 0 contains name element with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A\",1]],\"body\":\"\"}}"
          + "|'http-response' header 0 contains value element with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"\",\"1\"]],\"body\":\"\"}}"
          + "|'http-response' header 0 contains name element with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A B\",\"1\"]],\"body\":\"\"}}"
          + "|'http-response' header 0 contains name element with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":[[\"A\",\"1\\n\"]],\"body\":\"\"}}"
          + "|'http-response' header 0 contains value element with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":{\"A\":\"1\",\"X-B\":2},\"body\":\"\"}}"
          + "|'http-response' headers contains 'X-B' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":{\"X-B\":\"\\u0000\"},\"body\":\"\"}}"
          + "|'http-response' headers contains 'X-B' with invalid value",
      "{\"channel\":\"c\",\"http-response\":{\"headers\":{\"A\":\"1\",\"B:\":\"2\"},\"body\":\"\"}}"
          + "|'http-response' headers contains entry 1 with invalid name",
      "{\"channel\":\"c\",\"http-response\":{\"content-filters\":\"x\",\"body\":\"\"}}"
          + "|'http-response' contains 'content-filters' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"content-filters\":[\"a\",1],\"body\":\"\"}}"
          + "|'http-response' content-filters contains element 1 with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"body\":{}}}"
          + "|'http-response' contains 'body' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"body-bin\":1}}"
          + "|'http-response' contains 'body-bin' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{\"body-bin\":\"QQ=A\"}}"
          + "|'http-response' contains 'body-bin' with invalid value (not base64)",
      "{\"channel\":\"c\",\"http-response\":{\"body-patch\":{}}}"
          + "|'http-response' contains 'body-patch' with wrong type",
      "{\"channel\":\"c\",\"http-response\":{}}"
          + "|'http-response' does not contain 'body', 'body-bin', or 'body-patch'",
      // http-stream
      "{\"channel\":\"c\",\"http-stream\":{\"content\":1}}"
          + "|'http-stream' contains 'content' with wrong type",
      "{\"channel\":\"c\",\"http-stream\":{\"content-bin\":[]}}"
          + "|'http-stream' contains 'content-bin' with wrong type",
      "{\"channel\":\"c\",\"http-stream\":{\"content-filters\":{}}}"
          + "|'http-stream' contains 'content-filters' with wrong type",
      "{\"channel\":\"c\",\"http-stream\":{}}"
          + "|'http-stream' does not contain 'content' or 'content-bin'",
      // ws-message
      "{\"channel\":\"c\",\"ws-message\":{\"type\":1,\"content\":\"x\"}}"
          + "|'ws-message' contains 'type' with wrong type",
      "{\"channel\":\"c\",\"ws-message\":{\"type\":\"close\",\"content\":\"x\"}}"
          + "|'ws-message' contains 'type' with unknown value",
      "{\"channel\":\"c\",\"ws-message\":{\"content\":true}}"
          + "|'ws-message' contains 'content' with wrong type",
      "{\"channel\":\"c\",\"ws-message\":{\"content-bin\":\"a\"}}"
          + "|'ws-message' contains 'content-bin' with invalid value (not base64)",
      "{\"channel\":\"c\",\"ws-message\":{\"content-filters\":[null]}}"
          + "|'ws-message' content-filters contains element 0 with wrong type",
      "{\"channel\":\"c\",\"ws-message\":{}}"
          + "|'ws-message' does not contain 'content' or 'content-bin'",
      "{\"channel\":\"c\",\"ws-message\":{\"type\":\"binary\"}}"
          + "|'ws-message' does not contain 'content' or 'content-bin'",
      "{\"channel\":\"c\",\"ws-message\":{\"action\":\"close\",\"code\":\"1000\"}}"
          + "|'ws-message' contains 'code' with wrong type",
      "{\"channel\":\"c\",\"ws-message\":{\"action\":\"close\",\"code\":-1}}"
          + "|'ws-message' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"ws-message\":{\"action\":\"close\",\"code\":65536}}"
          + "|'ws-message' contains 'code' with invalid value",
      "{\"channel\":\"c\",\"ws-message\":{\"action\":\"close\",\"code\":1000,\"reason\":1}}"
          + "|'ws-message' contains 'reason' with wrong type",
  })
  void refusesBadItemsNamingTheItemAndField(String item, String detail) {
    // The bad item goes second so that the message must carry its position.
    String good = "{\"channel\":\"ok\",\"http-stream\":{\"content\":\"x\"}}";

    assertInvalid("{\"items\":[" + good + "," + item + "]}", "Invalid format: item 1: " + detail);
  }

  @Test
  void decodeItemUsesTheGivenIndex() {
    assertThatThrownBy(() -> ItemJson.decodeItem(null, 7))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage("Invalid format: item 7: publish item object is not an object");
  }

  @Test
  void messagesDoNotEchoLongOrControlKeys() {
    String longKey = "k".repeat(65);

    assertInvalid("{\"items\":[{\"channel\":\"c\",\"meta\":{\"" + longKey + "\":1},"
        + "\"http-stream\":{\"content\":\"x\"}}]}",
        "Invalid format: item 0: 'meta' contains entry 0 with wrong type");
  }

  private static List<Item> decode(String json) throws InvalidPublishException {
    return ItemJson.decodeItems(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Item decodeOne(String itemFields) throws InvalidPublishException {
    String fields = itemFields.substring(1);
    List<Item> items = decode("{\"items\":[{\"channel\":\"c\"," + fields + "]}");
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static void assertInvalid(String json, String message) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage(message);
  }
}
