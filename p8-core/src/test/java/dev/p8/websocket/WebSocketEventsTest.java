package dev.p8.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebSocketEventsTest {

  private static byte[] bytes(String s) {
    return s.replace("\\r\\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void encodesEveryEventToTheExactBytesPushpinSends() {
    byte[] body = WebSocketEvents.encode(
        WebSocketEvent.open(),
        WebSocketEvent.text("hello"),
        WebSocketEvent.binary(new byte[] {0, (byte) 0xff}),
        WebSocketEvent.ping(new byte[0]),
        WebSocketEvent.pong("p".getBytes(StandardCharsets.UTF_8)),
        WebSocketEvent.close(1000, "bye"),
        WebSocketEvent.disconnect());
    assertThat(hex(body)).isEqualTo(
        "4f50454e0d0a" // OPEN\r\n
        + "544558542035" + "0d0a" + "68656c6c6f" + "0d0a" // TEXT 5\r\nhello\r\n
        + "42494e4152592032" + "0d0a" + "00ff" + "0d0a" // BINARY 2\r\n..\r\n
        + "50494e47" + "0d0a" // PING\r\n
        + "504f4e472031" + "0d0a" + "70" + "0d0a" // PONG 1\r\np\r\n
        + "434c4f53452035" + "0d0a" + "03e8" + "627965" + "0d0a" // CLOSE 5\r\n<1000>bye\r\n
        + "444953434f4e4e454354" + "0d0a"); // DISCONNECT\r\n
  }

  @Test
  void emptyTextAndBinaryKeepTheirLengthButEmptyControlFramesDoNot() {
    // Pushpin always sends a length for data messages, and none for an empty ping/pong/close.
    assertThat(new String(WebSocketEvents.encode(WebSocketEvent.text(""), WebSocketEvent.binary(new byte[0]),
        WebSocketEvent.ping(new byte[0]), WebSocketEvent.pong(new byte[0]), WebSocketEvent.close(-1, null)),
        StandardCharsets.ISO_8859_1))
        .isEqualTo("TEXT 0\r\n\r\nBINARY 0\r\n\r\nPING\r\nPONG\r\nCLOSE\r\n");
  }

  @Test
  void lengthsAreLowerCaseHex() {
    byte[] body = WebSocketEvents.encode(WebSocketEvent.binary(new byte[0xab]));
    assertThat(new String(body, 0, 12, StandardCharsets.ISO_8859_1)).isEqualTo("BINARY ab\r\n\0");
    assertThat(body).hasSize(11 + 0xab + 2);
  }

  @Test
  void encodeTakesAListOrVarargsAlike() {
    List<WebSocketEvent> events = List.of(WebSocketEvent.open(), WebSocketEvent.text("x"));
    assertThat(WebSocketEvents.encode(events)).isEqualTo(WebSocketEvents.encode(events.toArray(new WebSocketEvent[0])));
    assertThat(WebSocketEvents.encode(List.of())).isEmpty();
  }

  @Test
  void parsesWhatItEncodes() throws Exception {
    List<WebSocketEvent> events = List.of(WebSocketEvent.open(), WebSocketEvent.text("h\u00e9llo\r\nworld"),
        WebSocketEvent.text(""), WebSocketEvent.close(4001, "r\u00e9ason"), WebSocketEvent.close(-1, null),
        WebSocketEvent.binary(new byte[300]), WebSocketEvent.ping(new byte[] {1}), WebSocketEvent.pong(new byte[0]),
        WebSocketEvent.disconnect());
    assertThat(WebSocketEvents.parse(WebSocketEvents.encode(events))).isEqualTo(events);
  }

  @Test
  void parsesHandWrittenBodies() throws Exception {
    assertThat(WebSocketEvents.parse(bytes("OPEN\\r\\nTEXT A\\r\\n0123456789\\r\\nTEXT a\\r\\n0123456789\\r\\n")))
        .containsExactly(WebSocketEvent.open(), WebSocketEvent.text("0123456789"), WebSocketEvent.text("0123456789"));
    assertThat(WebSocketEvents.parse(bytes("TEXT 00000002\\r\\nhi\\r\\n"))).containsExactly(WebSocketEvent.text("hi"));
    // Content may hold CRLF and event names: only the length delimits it.
    assertThat(WebSocketEvents.parse(bytes("TEXT 6\\r\\nOPEN\\r\\n\\r\\n"))).containsExactly(WebSocketEvent.text("OPEN\r\n"));
    assertThat(WebSocketEvents.parse(bytes("TEXT\\r\\nPING\\r\\nCLOSE\\r\\n")))
        .containsExactly(WebSocketEvent.text(""), WebSocketEvent.ping(new byte[0]), WebSocketEvent.close(-1, null));
    WebSocketEvent close = WebSocketEvents.parse(bytes("CLOSE 4\\r\\n\u0003\u00e9ok\\r\\n")).get(0);
    assertThat(close.closeCode()).isEqualTo(1001);
    assertThat(close.closeReason()).isEqualTo("ok");
  }

  @Test
  void anEmptyBodyHasNoEvents() throws Exception {
    assertThat(WebSocketEvents.parse(new byte[0])).isEmpty();
    assertThat(WebSocketEvents.parse(new byte[0], 0)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "OPEN|event line without CRLF at byte 0",
      "OPEN\\r\\nTEXT 1\\r|event line without CRLF at byte 6",
      "\\r\\n|unknown event name (empty) at byte 0",
      "OPEN\\r\\nHELLO\\r\\n|unknown event name (hex 48 45 4c 4c 4f) at byte 6",
      "text 1\\r\\na\\r\\n|unknown event name (hex 74 65 78 74) at byte 0",
      "DISCONNECTED\\r\\n|unknown event name (hex 44 49 53 43 4f 4e 4e 45 ...) at byte 0",
      "OPEN 0\\r\\n\\r\\n|OPEN takes no content length at byte 4",
      "DISCONNECT 2\\r\\nab\\r\\n|DISCONNECT takes no content length at byte 10",
      "TEXT zz\\r\\nab\\r\\n|content length (hex 7a 7a) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT \\r\\n\\r\\n|content length (empty) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT  1\\r\\na\\r\\n|content length (hex 20 31) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT -1\\r\\na\\r\\n|content length (hex 2d 31) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT 0x1\\r\\na\\r\\n|content length (hex 30 78 31) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT 123456789\\r\\n|content length (hex 31 32 33 34 35 36 37 38 ...) is not 1 to 8 hexadecimal digits at byte 5",
      "TEXT ffffffff\\r\\n|TEXT content length of 4294967295 bytes is over the limit of 1000000 at byte 5",
      "TEXT 5\\r\\nab\\r\\n|TEXT content of 5 bytes runs past the end of the body at byte 8",
      "TEXT 2\\r\\nabXY|TEXT content is not followed by CRLF at byte 10",
      "TEXT 2\\r\\nab|TEXT content is not followed by CRLF at byte 10",
      "TEXT 2\\r\\nab\\r|TEXT content is not followed by CRLF at byte 10",
      "BINARY 1\\r\\nab\\r\\n|BINARY content is not followed by CRLF at byte 11",
      "CLOSE 1\\r\\na\\r\\n|CLOSE content must be empty or start with a 2-byte code at byte 0",
  })
  void malformedBodiesNameTheProblemAndTheOffset(String body, String message) {
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes(body)))
        .isInstanceOf(WebSocketEventsException.class).hasMessage(message);
  }

  @Test
  void aLeadingSpaceIsAnEmptyName() {
    // CsvSource would trim the space away, hence a plain test.
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes(" TEXT 1\\r\\na\\r\\n")))
        .isInstanceOf(WebSocketEventsException.class).hasMessage("unknown event name (empty) at byte 0");
  }

  @Test
  void theOffsetIsAlsoAvailableAsANumber() {
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes("OPEN\\r\\nBOGUS\\r\\n")))
        .isInstanceOfSatisfying(WebSocketEventsException.class, e -> assertThat(e.offset()).isEqualTo(6));
  }

  @Test
  void errorMessagesNeverEchoRawBytes() {
    byte[] body = bytes("\u0000\u0001secret-token-value\\r\\n");
    assertThatThrownBy(() -> WebSocketEvents.parse(body))
        .hasMessage("unknown event name (hex 00 01 73 65 63 72 65 74 ...) at byte 0")
        .hasMessageNotContaining("secret");
  }

  @Test
  void bodiesAndContentOverTheLimitAreRefused() throws Exception {
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes("TEXT 5\\r\\nhello\\r\\n"), 10))
        .isInstanceOf(WebSocketEventsException.class).hasMessage("body of 15 bytes is over the limit of 10 at byte 10");
    assertThatThrownBy(() -> WebSocketEvents.parse(bytes("TEXT b\\r\\n"), 10))
        .isInstanceOf(WebSocketEventsException.class)
        .hasMessage("TEXT content length of 11 bytes is over the limit of 10 at byte 5");
    byte[] exact = bytes("TEXT 5\\r\\nhello\\r\\n");
    assertThat(WebSocketEvents.parse(exact, exact.length)).containsExactly(WebSocketEvent.text("hello"));
    byte[] big = new byte[WebSocketEvents.DEFAULT_MAX_BODY_BYTES + 1];
    assertThatThrownBy(() -> WebSocketEvents.parse(big))
        .hasMessage("body of 1000001 bytes is over the limit of 1000000 at byte 1000000");
  }

  @Test
  void aNegativeLimitIsAProgrammingError() {
    assertThatThrownBy(() -> WebSocketEvents.parse(new byte[0], -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes must not be negative, was -1");
  }

  @Test
  void garbageOnlyEverThrowsTheDocumentedException() throws Exception {
    Random r = new Random(5);
    List<byte[]> valid = List.of(
        WebSocketEvents.encode(WebSocketEvent.open(), WebSocketEvent.text("abc"), WebSocketEvent.close(1000, "x")),
        WebSocketEvents.encode(WebSocketEvent.binary(new byte[] {13, 10, 0}), WebSocketEvent.ping(new byte[0]),
            WebSocketEvent.pong(new byte[] {1}), WebSocketEvent.disconnect()),
        bytes("TEXT A\\r\\n0123456789\\r\\nCLOSE\\r\\n"));
    String alphabet = "OPENTXCLSBIARYDG \r\n0123456789abcdefABCDEF";
    int parsed = 0;
    int failed = 0;
    for (int i = 0; i < 60_000; i++) {
      byte[] b = switch (i % 4) {
        case 0 -> {
          byte[] x = new byte[r.nextInt(40)];
          r.nextBytes(x);
          yield x;
        }
        case 1 -> {
          byte[] x = new byte[r.nextInt(40)];
          for (int k = 0; k < x.length; k++) {
            x[k] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
          }
          yield x;
        }
        default -> mutate(valid.get(r.nextInt(valid.size())), r, alphabet);
      };
      List<WebSocketEvent> events;
      try {
        events = WebSocketEvents.parse(b, 1 + r.nextInt(64));
      } catch (WebSocketEventsException e) {
        assertThat(e.offset()).isBetween(0, b.length);
        failed++;
        continue;
      }
      // Whatever parses must survive a round trip unchanged.
      assertThat(WebSocketEvents.parse(WebSocketEvents.encode(events))).isEqualTo(events);
      parsed++;
    }
    assertThat(parsed).as("some mutations stay valid").isGreaterThan(1_000);
    assertThat(failed).as("most garbage is refused").isGreaterThan(30_000);
  }

  private static byte[] mutate(byte[] valid, Random r, String alphabet) {
    List<Byte> b = new ArrayList<>();
    for (byte x : valid) {
      b.add(x);
    }
    for (int k = 0; k < 1 + r.nextInt(3); k++) {
      int at = r.nextInt(b.size() + 1);
      byte c = (byte) (r.nextBoolean() ? alphabet.charAt(r.nextInt(alphabet.length())) : r.nextInt(256));
      switch (r.nextInt(4)) {
        case 0 -> b.add(at, c);
        case 1 -> {
          if (at < b.size()) {
            b.remove(at);
          }
        }
        case 2 -> {
          if (at < b.size()) {
            b.set(at, c);
          }
        }
        default -> b.subList(at, b.size()).clear();
      }
      if (b.isEmpty()) {
        break;
      }
    }
    byte[] out = new byte[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i);
    }
    return out;
  }
}
