package dev.p8.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemTest {

  @Test
  void shortcutsBuildOneFormatEach() {
    Item stream = Item.stream("c", "data: é\n\n");
    Item response = Item.response("c", "ok");
    Item message = Item.message("c", "hi");

    assertThat(stream.httpStream().orElseThrow().content())
        .isEqualTo("data: é\n\n".getBytes(StandardCharsets.UTF_8));
    assertThat(stream.httpResponse()).isEmpty();
    assertThat(stream.wsMessage()).isEmpty();
    assertThat(response.httpResponse()).contains(HttpResponseFormat.of(200, "ok"));
    assertThat(message.wsMessage()).contains(WsMessageFormat.text("hi"));
    assertThat(message.channel()).isEqualTo("c");
    assertThat(message.id()).isEmpty();
    assertThat(message.prevId()).isEmpty();
    assertThat(message.meta()).isEmpty();
    assertThat(message.noSeq()).isFalse();
  }

  @Test
  void buildRequiresAChannelAndAFormat() {
    assertThatThrownBy(() -> Item.builder("").httpStream(HttpStreamFormat.close()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel must not be empty");
    assertThatThrownBy(() -> Item.builder("news").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("item for channel news has no format: set at least one of httpResponse,"
            + " httpStream or wsMessage");
    assertThatThrownBy(() -> Item.stream("", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalItemsAreEqualAndToBuilderCopies() {
    Item a = Item.builder("c").id("2").prevId("1").meta("sender", "me").noSeq(true)
        .httpStream(HttpStreamFormat.send(new byte[] {1, 2}))
        .wsMessage(WsMessageFormat.close(1000, "bye")).build();
    Item b = Item.builder("c").id("2").prevId("1").meta("sender", "me").noSeq(true)
        .httpStream(HttpStreamFormat.send(new byte[] {1, 2}))
        .wsMessage(WsMessageFormat.close(1000, "bye")).build();

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toBuilder().build()).isEqualTo(a);
    Item changed = a.toBuilder().id(null).meta("sender", null).wsMessage(null).build();
    assertThat(changed.id()).isEmpty();
    assertThat(changed.meta()).isEmpty();
    assertThat(changed.wsMessage()).isEmpty();
    assertThat(a.id()).contains("2");
    assertThat(a).isNotEqualTo(changed);
  }

  @Test
  void metaKeepsOrderAndCannotBeChanged() {
    Item item = Item.builder("c").meta("b", "1").meta("a", "2").meta("b", "3")
        .httpStream(HttpStreamFormat.close()).build();

    assertThat(item.meta()).containsExactly(java.util.Map.entry("b", "3"),
        java.util.Map.entry("a", "2"));
    assertThatThrownBy(() -> item.meta().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringShowsSizesNotPayloads() {
    Item item = Item.builder("c").id("7").httpStream(HttpStreamFormat.send("secret"))
        .httpResponse(HttpResponseFormat.of(201, "x")).build();

    assertThat(item.toString()).isEqualTo("Item{channel=c, id=7, HttpResponseFormat{code=201,"
        + " headers=[], body=1 bytes}, HttpStreamFormat{send 6 bytes}}");
  }

  @Test
  void httpResponseBuilderChecksEveryOption() {
    HttpResponseFormat.Builder b = HttpResponseFormat.builder();

    assertThatThrownBy(() -> b.code(1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("code must be between 0 and 999, was 1000");
    assertThatThrownBy(() -> b.code(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.reason("OK\r\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reason");
    assertThatThrownBy(() -> b.header("A:", "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name must be an HTTP token, was \"A:\"");
    assertThatThrownBy(() -> b.header("A", "v\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of header A must not contain control characters such as CR or LF");
    assertThatThrownBy(() -> b.headers(List.of(new Header("A B", "v"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpResponseFormat.builder()
        .action(HttpResponseFormat.Action.HINT).code(404).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("action HINT sends no response");
  }

  @Test
  void httpResponseDefaultsAndHeaderReplacement() {
    HttpResponseFormat f = HttpResponseFormat.builder().header("A", "1").header("A", "2")
        .headers(List.of(new Header("B", "3"))).header("C", "4").reason("").build();

    assertThat(f.action()).isEqualTo(HttpResponseFormat.Action.SEND);
    assertThat(f.code()).isEqualTo(200);
    assertThat(f.reason()).isEmpty();
    assertThat(f.headers()).containsExactly(new Header("B", "3"), new Header("C", "4"));
    assertThat(f.body()).isEmpty();
    assertThat(f.toBuilder().code(201).build().headers()).isEqualTo(f.headers());
  }

  @Test
  void bodiesAreCopiedAndBuffersAreReadOnlyViews() {
    byte[] bytes = {1, 2, 3};
    HttpResponseFormat response = HttpResponseFormat.builder().body(bytes).build();
    HttpStreamFormat stream = HttpStreamFormat.send(bytes);
    WsMessageFormat ws = WsMessageFormat.binary(bytes);
    bytes[0] = 9;

    assertThat(response.body()).containsExactly(1, 2, 3);
    assertThat(stream.content()).containsExactly(1, 2, 3);
    assertThat(ws.content()).containsExactly(1, 2, 3);
    response.body()[1] = 9;
    assertThat(response.body()).containsExactly(1, 2, 3);

    ByteBuffer view = stream.contentBuffer();
    assertThat(view.isReadOnly()).isTrue();
    assertThatThrownBy(() -> view.put(0, (byte) 7)).isInstanceOf(ReadOnlyBufferException.class);
    view.get();
    assertThat(stream.contentBuffer().position()).isZero();
    assertThat(response.bodyBuffer().remaining()).isEqualTo(3);
    assertThat(ws.contentBuffer().isReadOnly()).isTrue();
  }

  @Test
  void streamFormatActions() {
    assertThat(HttpStreamFormat.send("x").action()).isEqualTo(HttpStreamFormat.Action.SEND);
    assertThat(HttpStreamFormat.close().action()).isEqualTo(HttpStreamFormat.Action.CLOSE);
    assertThat(HttpStreamFormat.close().content()).isEmpty();
    assertThat(HttpStreamFormat.hint().action()).isEqualTo(HttpStreamFormat.Action.HINT);
    assertThat(HttpStreamFormat.send("ab")).isEqualTo(HttpStreamFormat.send(new byte[] {'a', 'b'}))
        .isNotEqualTo(HttpStreamFormat.send("ac"));
  }

  @Test
  void wsMessageFormats() {
    WsMessageFormat text = WsMessageFormat.text("hé");
    assertThat(text.action()).isEqualTo(WsMessageFormat.Action.SEND);
    assertThat(text.type()).isEqualTo(WsMessageFormat.Type.TEXT);
    assertThat(text.content()).isEqualTo("hé".getBytes(StandardCharsets.UTF_8));
    assertThat(text.closeCode()).isEmpty();

    WsMessageFormat close = WsMessageFormat.close(4001, "");
    assertThat(close.action()).isEqualTo(WsMessageFormat.Action.CLOSE);
    assertThat(close.closeCode()).hasValue(4001);
    assertThat(close.closeReason()).isEmpty();
    assertThat(WsMessageFormat.close(1000, "bye").closeReason()).contains("bye");
    assertThat(WsMessageFormat.close().closeCode()).isEmpty();
    assertThatThrownBy(() -> WsMessageFormat.close(65536, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("close code must be between 0 and 65535, was 65536");
    assertThat(WsMessageFormat.refresh().action()).isEqualTo(WsMessageFormat.Action.REFRESH);
    assertThat(WsMessageFormat.hint().action()).isEqualTo(WsMessageFormat.Action.HINT);
    assertThat(WsMessageFormat.binary(new byte[] {1}))
        .isNotEqualTo(WsMessageFormat.send(WsMessageFormat.Type.PING, new byte[] {1}));
    assertThat(close).hasToString("WsMessageFormat{close 4001}");
  }
}
