package dev.p8.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebSocketEventTest {

  @Test
  void closeCarriesABigEndianCodeAndAUtf8Reason() {
    WebSocketEvent close = WebSocketEvent.close(1001, "d\u00e9part");
    assertThat(close.type()).isEqualTo(WebSocketEvent.Type.CLOSE);
    assertThat(close.content()).startsWith(0x03, 0xe9).hasSize(2 + "d\u00e9part".getBytes(StandardCharsets.UTF_8).length);
    assertThat(close.closeCode()).isEqualTo(1001);
    assertThat(close.closeReason()).isEqualTo("d\u00e9part");
    assertThat(WebSocketEvent.close(65535, null).closeCode()).isEqualTo(65535);
    assertThat(WebSocketEvent.close(0, "").content()).containsExactly(0, 0);
  }

  @Test
  void closeWithoutACodeIsEmpty() {
    WebSocketEvent close = WebSocketEvent.close(-1, null);
    assertThat(close.content()).isEmpty();
    assertThat(close.closeCode()).isEqualTo(-1);
    assertThat(close.closeReason()).isEmpty();
    assertThat(WebSocketEvent.close(-1, "")).isEqualTo(close);
  }

  @Test
  void closeArgumentsAreChecked() {
    assertThatThrownBy(() -> WebSocketEvent.close(65536, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("close code must be 0-65535 or -1 for none, was 65536");
    assertThatThrownBy(() -> WebSocketEvent.close(-2, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("close code must be 0-65535 or -1 for none, was -2");
    assertThatThrownBy(() -> WebSocketEvent.close(-1, "why"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("close reason needs a close code, code was -1");
  }

  @Test
  void otherTypesHaveNoCloseCode() {
    WebSocketEvent text = WebSocketEvent.text("\u0003\u00e8");
    assertThat(text.closeCode()).isEqualTo(-1);
    assertThat(text.closeReason()).isEmpty();
    assertThat(text.text()).isEqualTo("\u0003\u00e8");
  }

  @Test
  void contentIsCopiedInAndOut() {
    byte[] data = {1, 2, 3};
    WebSocketEvent e = WebSocketEvent.binary(data);
    data[0] = 9;
    e.content()[1] = 9;
    assertThat(e.content()).containsExactly(1, 2, 3);
    byte[] raw = {4};
    WebSocketEvent of = WebSocketEvent.of(WebSocketEvent.Type.PING, raw);
    raw[0] = 0;
    assertThat(of.content()).containsExactly(4);
  }

  @Test
  void ofBuildsEveryTypeAndChecksContent() {
    assertThat(WebSocketEvent.of(WebSocketEvent.Type.OPEN, null)).isEqualTo(WebSocketEvent.open());
    assertThat(WebSocketEvent.of(WebSocketEvent.Type.DISCONNECT, new byte[0])).isEqualTo(WebSocketEvent.disconnect());
    assertThat(WebSocketEvent.of(WebSocketEvent.Type.TEXT, "hi".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(WebSocketEvent.text("hi"));
    assertThat(WebSocketEvent.of(WebSocketEvent.Type.PONG, null)).isEqualTo(WebSocketEvent.pong(new byte[0]));
    assertThat(WebSocketEvent.of(WebSocketEvent.Type.CLOSE, new byte[] {3, (byte) 0xe8, 'x'}))
        .isEqualTo(WebSocketEvent.close(1000, "x"));
    assertThatThrownBy(() -> WebSocketEvent.of(WebSocketEvent.Type.OPEN, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("OPEN events carry no content");
    assertThatThrownBy(() -> WebSocketEvent.of(WebSocketEvent.Type.CLOSE, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CLOSE content must be empty or start with a 2-byte code");
  }

  @Test
  void equalityIsByTypeAndBytes() {
    assertThat(WebSocketEvent.text("a")).isEqualTo(WebSocketEvent.text("a")).hasSameHashCodeAs(WebSocketEvent.text("a"));
    assertThat(WebSocketEvent.text("a")).isNotEqualTo(WebSocketEvent.binary(new byte[] {'a'}));
    assertThat(WebSocketEvent.ping(new byte[0])).isNotEqualTo(WebSocketEvent.pong(new byte[0]));
    assertThat(WebSocketEvent.text("a")).isNotEqualTo(WebSocketEvent.text("b"));
  }

  @Test
  void toStringShowsNoContent() {
    assertThat(WebSocketEvent.text("secret")).hasToString("TEXT(6 bytes)");
    assertThat(WebSocketEvent.open()).hasToString("OPEN");
    assertThat(WebSocketEvent.close(1000, "secret")).hasToString("CLOSE(1000, 6 bytes of reason)");
    assertThat(WebSocketEvent.close(-1, null)).hasToString("CLOSE");
  }
}
