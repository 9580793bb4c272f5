package dev.p8.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.tnet.Tnetstring;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZmqItemsTest {

  private static final byte[] BINARY = {0, (byte) 0xff, (byte) 0xc3, 10};

  @Test
  void pullAcceptsJsonPrefixedTnetPrefixedAndBareTnetstring() throws Exception {
    Item expected = Item.stream("news", "hello\n");
    byte[] json = bytes("J{\"channel\":\"news\",\"formats\":{\"http-stream\":"
        + "{\"content\":\"hello\\n\"}}}");
    byte[] tnet = Tnetstring.encode(Map.of("channel", "news", "formats",
        Map.of("http-stream", Map.of("content", "hello\n"))));

    assertThat(ZmqItems.decodePull(json)).isEqualTo(expected);
    assertThat(ZmqItems.decodePull(tnet)).isEqualTo(expected);
    assertThat(ZmqItems.decodePull(concat(bytes("T"), tnet))).isEqualTo(expected);
  }

  @Test
  void subTakesTheChannelFromTheFirstFrameUnlessItIsEmpty() throws Exception {
    byte[] withChannel = Tnetstring.encode(Map.of("channel", "inner",
        "http-stream", Map.of("content", "x")));
    byte[] without = Tnetstring.encode(Map.of("http-stream", Map.of("content", "x")));

    assertThat(ZmqItems.decodeSub(bytes("outer"), without))
        .isEqualTo(Item.stream("outer", "x"));
    assertThat(ZmqItems.decodeSub(bytes("outer"), withChannel))
        .isEqualTo(Item.stream("outer", "x"));
    assertThat(ZmqItems.decodeSub(new byte[0], withChannel))
        .isEqualTo(Item.stream("inner", "x"));
    assertThat(ZmqItems.decodeSub(bytes("j"), bytes("J{\"ws-message\":{\"content\":\"m\"}}")))
        .isEqualTo(Item.message("j", "m"));
    assertThatThrownBy(() -> ZmqItems.decodeSub(new byte[0], without))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage("received message with invalid format: publish item object does not"
            + " contain 'channel'");
  }

  @Test
  void tnetstringBodiesAndContentAreRawBytes() throws Exception {
    Map<String, Object> formats = new LinkedHashMap<>();
    formats.put("http-response", Map.of("code", 201L, "headers", List.of(List.of("A", "b")),
        "body", BINARY));
    formats.put("http-stream", Map.of("content", BINARY));
    formats.put("ws-message", Map.of("content-bin", BINARY));
    byte[] frame = Tnetstring.encode(Map.of("channel", "c", "id", "7", "meta",
        Map.of("sender", "s"), "formats", formats));

    Item item = ZmqItems.decodePull(frame);

    assertThat(item.id()).contains("7");
    assertThat(item.meta()).isEqualTo(Map.of("sender", "s"));
    HttpResponseFormat response = item.httpResponse().orElseThrow();
    assertThat(response.code()).isEqualTo(201);
    assertThat(response.body()).isEqualTo(BINARY);
    assertThat(response.headers().get(0).name()).isEqualTo("A");
    assertThat(item.httpStream().orElseThrow().content()).isEqualTo(BINARY);
    WsMessageFormat ws = item.wsMessage().orElseThrow();
    assertThat(ws.type()).isEqualTo(WsMessageFormat.Type.BINARY);
    assertThat(ws.content()).isEqualTo(BINARY);
  }

  @Test
  void tnetstringWsContentIsTextAndBase64FieldsAreIgnoredAsInPushpin() throws Exception {
    byte[] ws = Tnetstring.encode(Map.of("channel", "c",
        "ws-message", Map.of("content", "hi")));
    assertThat(ZmqItems.decodePull(ws)).isEqualTo(Item.message("c", "hi"));

    byte[] bodyBin = Tnetstring.encode(Map.of("channel", "c",
        "http-response", Map.of("body-bin", "aGk=")));
    assertThatThrownBy(() -> ZmqItems.decodePull(bodyBin))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage("received message with invalid format: 'http-response' does not contain"
            + " 'body' or 'body-patch'");
    byte[] contentBin = Tnetstring.encode(Map.of("channel", "c",
        "http-stream", Map.of("content-bin", "aGk=")));
    assertThatThrownBy(() -> ZmqItems.decodePull(contentBin))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage("received message with invalid format: 'http-stream' does not contain"
            + " 'content'");
  }

  @Test
  void framingErrorsSayWhichParseFailed() {
    assertError(bytes("J{nope"), "received message with invalid format (json parse failed)");
    assertError(bytes("J[1]"), "received message with invalid format (not a valid json object)");
    assertError(bytes("J"), "received message with invalid format (not a valid json object)");
    assertError(new byte[0], "received message with invalid format (tnetstring parse failed:"
        + " invalid tnetstring at offset 0: expected a value, found the end of the input)");
    assertError(bytes("T3:ab,"), "received message with invalid format (tnetstring parse"
        + " failed: invalid tnetstring at offset 1: length 3 runs past the end of the input"
        + " (2 bytes available))");
    assertError(bytes("3:abc,"), "received message with invalid format: publish item object"
        + " is not an object");
    assertError(Tnetstring.encode(Map.of("channel", 5L, "http-stream", Map.of())),
        "received message with invalid format: publish item object contains 'channel' with"
            + " wrong type");
    assertError(Tnetstring.encode(Map.of("channel", "c")),
        "received message with invalid format: no formats specified");
  }

  @Test
  void encodingsRoundTrip() throws Exception {
    List<Item> items = List.of(
        Item.stream("a", "x"),
        Item.builder("b").id("2").prevId("1").meta("k", "v").noSeq(true)
            .httpResponse(HttpResponseFormat.builder().code(404).reason("Nope")
                .header("X", "y").body(BINARY).build())
            .httpStream(HttpStreamFormat.close())
            .wsMessage(WsMessageFormat.close(1001, "bye")).build(),
        Item.builder("c").httpStream(HttpStreamFormat.send(BINARY))
            .httpResponse(HttpResponseFormat.builder()
                .action(HttpResponseFormat.Action.HINT).build())
            .wsMessage(WsMessageFormat.send(WsMessageFormat.Type.PING, BINARY)).build(),
        Item.builder("d").wsMessage(WsMessageFormat.send(WsMessageFormat.Type.BINARY, BINARY))
            .build(),
        Item.builder("e").wsMessage(WsMessageFormat.refresh()).build(),
        Item.message("f", "text \u00e9"),
        Item.builder("h").httpResponse(HttpResponseFormat.builder().body("b")
                .contentFilters(List.of("build-id", "var-subst")).build())
            .httpStream(HttpStreamFormat.send("s").withContentFilters(List.of()))
            .wsMessage(WsMessageFormat.text("w").withContentFilters(List.of("var-subst"))).build(),
        Item.builder("g").httpResponse(HttpResponseFormat.builder()
            .bodyPatch("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2},{\"op\":\"add\",\"path\":\"/s\",\"value\":\"t\"}]").build()).build());
    for (Item item : items) {
      assertThat(ZmqItems.decodePull(ZmqItems.encodeTnet(item, true))).isEqualTo(item);
      assertThat(ZmqItems.decodePull(ZmqItems.encodeJson(item, true))).isEqualTo(item);
      byte[] channel = bytes(item.channel());
      assertThat(ZmqItems.decodeSub(channel, ZmqItems.encodeTnet(item, false))).isEqualTo(item);
      assertThat(ZmqItems.decodeSub(channel, ZmqItems.encodeJson(item, false))).isEqualTo(item);
    }
    assertThat(new String(ZmqItems.encodeTnet(Item.stream("a", "x"), false),
        StandardCharsets.UTF_8)).isEqualTo("T47:7:formats,33:11:http-stream,14:7:content,1:x,}}}");
  }

  @Test
  void mutatedFramesOnlyEverFailWithTheDocumentedException() {
    byte[][] seeds = {
        ZmqItems.encodeTnet(Item.builder("b").id("2").prevId("1").meta("k", "v").noSeq(true)
            .httpResponse(HttpResponseFormat.builder().code(404).header("X", "y")
                .body(BINARY).build())
            .wsMessage(WsMessageFormat.close(1001, "bye")).build(), true),
        ZmqItems.encodeTnet(Item.message("c", "hello"), true),
        ZmqItems.encodeJson(Item.stream("c", "hello"), true),
    };
    Random random = new Random(0x2e70);
    int decoded = 0;
    for (int i = 0; i < 30_000; i++) {
      byte[] frame = seeds[random.nextInt(seeds.length)].clone();
      int at = random.nextInt(frame.length);
      switch (random.nextInt(3)) {
        case 0:
          frame[at] = (byte) random.nextInt(256);
          break;
        case 1:
          frame = Arrays.copyOf(frame, at);
          break;
        default:
          frame[at] = (byte) "0123456789:,#}]~!^".charAt(random.nextInt(18));
          break;
      }
      try {
        ZmqItems.decodePull(frame);
        decoded++;
      } catch (InvalidPublishException e) {
        assertThat(e.getMessage()).startsWith("received message with invalid format");
      } catch (RuntimeException e) {
        throw new AssertionError("undocumented " + e + " for " + Arrays.toString(frame), e);
      }
    }
    assertThat(decoded).isGreaterThan(100);
  }

  private static void assertError(byte[] frame, String message) {
    assertThatThrownBy(() -> ZmqItems.decodePull(frame))
        .isInstanceOf(InvalidPublishException.class)
        .hasMessage(message);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
