package dev.p8.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebSocketEventsTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void encodesEveryEventExactly() {
    byte[] body = WebSocketEvents.encode(
        WebSocketEvent.open(),
        WebSocketEvent.text("hello"),
        WebSocketEvent.binary(new byte[] {0, (byte) 0xff}),
        WebSocketEvent.ping(new byte[0]),
        WebSocketEvent.pong("p".getBytes(StandardCharsets.UTF_8)),
        WebSocketEvent.close(1000, "bye"),
        WebSocketEvent.disconnect());
    assertThat(new String(body, StandardCharsets.ISO_8859_1)).isEqualTo(
        "OPEN\r\nTEXT 5\r\nhello\r\nBINARY 2\r\n\u0000\u00ff\r\nPING\r\nPONG 1\r\np\r\nCLOSE 5\r\n\u0003\u00e8bye\r\nDISCONNECT\r\n");
  }

  @Test
  void parsesWhatItEncodes() throws Exception {
    List<WebSocketEvent> events = List.of(WebSocketEvent.open(), WebSocketEvent.text("h\u00e9llo\r\nworld"),
        WebSocketEvent.text(""), WebSocketEvent.close(4001, "r\u00e9ason"), WebSocketEvent.close(-1, null),
        WebSocketEvent.binary(new byte[300]), WebSocketEvent.disconnect());
    assertThat(WebSocketEvents.parse(WebSocketEvents.encode(events))).isEqualTo(events);
    WebSocketEvent close = WebSocketEvents.parse(WebSocketEvents.encode(WebSocketEvent.close(4001, "r\u00e9ason"))).get(0);
    assertThat(close.closeCode()).isEqualTo(4001);
    assertThat(close.closeReason()).isEqualTo("r\u00e9ason");
  }

  @Test
  void acceptsLowerCaseHexAndEmptyBodies() throws Exception {
    assertThat(WebSocketEvents.parse(bytes("TEXT a\r\n0123456789\r\n"))).containsExactly(WebSocketEvent.text("0123456789"));
    assertThat(WebSocketEvents.parse(new byte[0])).isEmpty();
    assertThat(WebSocketEvents.parse(bytes("TEXT\r\n"))).containsExactly(WebSocketEvent.text(""));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "OPEN|event line without CRLF at byte 0",
      "HELLO\\r\\n|unknown event name (hex 48 45 4c 4c 4f) at byte 0",
      "text 1\\r\\na\\r\\n|unknown event name (hex 74 65 78 74) at byte 0",
      "TEXT zz\\r\\nab\\r\\n|content length is not hexadecimal at byte 5",
      "TEXT 5\\r\\nab\\r\\n|TEXT content of 5 bytes runs past the end of the body at byte 8",
      "TEXT 2\\r\\nabXY|TEXT content is not followed by CRLF at byte 10",
      "OPEN 2\\r\\nab\\r\\n|OPEN takes no content length at byte 4",
      "CLOSE 1\\r\\na\\r\\n|CLOSE content must be empty or start with a 2-byte code at byte 0",
      "TEXT 123456789\\r\\n|content length is not hexadecimal at byte 5",
  })
  void malformedBodiesNameTheProblemAndTheOffset(String body, String message) {
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes(body.replace("\\r\\n", "\r\n"))))
        .isInstanceOf(WebSocketEventsException.class).hasMessage(message);
  }

  @Test
  void bodiesOverTheLimitAreRefused() {
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes("TEXT 5\r\nhello\r\n"), 10))
        .isInstanceOf(WebSocketEventsException.class).hasMessage("body of 15 bytes is over the limit of 10 at byte 10");
  }

  @Test
  void garbageOnlyEverThrowsTheDocumentedException() {
    Random r = new Random(5);
    byte[] valid = WebSocketEvents.encode(WebSocketEvent.open(), WebSocketEvent.text("abc"), WebSocketEvent.close(1000, "x"));
    int parsed = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] b;
      if (i % 4 == 0) {
        b = new byte[r.nextInt(40)];
        r.nextBytes(b);
      } else {
        b = valid.clone();
        for (int k = 0; k < 1 + r.nextInt(3); k++) {
          b[r.nextInt(b.length)] = (byte) "OPENTXC \r\n0123456789abcdef".charAt(r.nextInt(26));
        }
      }
      try {
        WebSocketEvents.parse(b);
        parsed++;
      } catch (WebSocketEventsException e) {
        assertThat(e.offset()).isBetween(0, b.length + 2);
      }
    }
    assertThat(parsed).as("some mutations stay valid").isPositive().isLessThan(50_000);
  }

  @Test
  void controlMessagesAreCPrefixedJson() {
    assertThat(GripControl.subscribe("room")).isEqualTo("c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
    assertThat(GripControl.subscribe("room", List.of("skip-self"))).isEqualTo("c:{\"type\":\"subscribe\",\"channel\":\"room\",\"filters\":[\"skip-self\"]}");
    assertThat(GripControl.unsubscribe("r\"q")).isEqualTo("c:{\"type\":\"unsubscribe\",\"channel\":\"r\\\"q\"}");
    assertThat(GripControl.detach()).isEqualTo("c:{\"type\":\"detach\"}");
    assertThat(GripControl.setMeta("user", null)).isEqualTo("c:{\"type\":\"set-meta\",\"name\":\"user\"}");
    assertThat(GripControl.message("hi")).isEqualTo("m:hi");
    assertThatThrownBy(() -> GripControl.subscribe("")).hasMessage("channel must not be empty");
  }
}
