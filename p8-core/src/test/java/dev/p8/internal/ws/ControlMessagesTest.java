package dev.p8.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.websocket.GripControl;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlMessagesTest {

  private static ControlMessage parse(String json) throws ControlMessageException {
    return ControlMessages.parse(json);
  }

  @Test
  void parsesEveryType() throws Exception {
    assertThat(parse(GripControl.subscribe("room", List.of("f")).substring(2)))
        .isEqualTo(new ControlMessage.Subscribe("room", List.of("f")));
    assertThat(parse("{\"type\":\"unsubscribe\",\"channel\":\"room\"}")).isEqualTo(new ControlMessage.Unsubscribe("room"));
    assertThat(parse("{\"type\":\"detach\"}")).isEqualTo(new ControlMessage.Detach());
    assertThat(parse("{\"type\":\"flush-delayed\"}")).isEqualTo(new ControlMessage.FlushDelayed());
    assertThat(parse("{\"type\":\"set-meta\",\"name\":\"u\",\"value\":\"1\"}")).isEqualTo(new ControlMessage.SetMeta("u", "1"));
    assertThat(parse("{\"type\":\"set-meta\",\"name\":\"u\"}")).isEqualTo(new ControlMessage.SetMeta("u", null));
    assertThat(parse("{\"type\":\"session\",\"id\":\"x\"}")).isEqualTo(new ControlMessage.Unknown("session"));
    ControlMessage.KeepAlive ka = (ControlMessage.KeepAlive) parse(
        "{\"type\":\"keep-alive\",\"content-bin\":\"AAE=\",\"message-type\":\"ping\",\"timeout\":30,\"mode\":\"interval\"}");
    assertThat(ka.content()).containsExactly(0, 1);
    assertThat(ka.messageType()).isEqualTo(ControlMessage.MessageType.PING);
    assertThat(ka.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ka.interval()).isTrue();
    ControlMessage.KeepAlive off = (ControlMessage.KeepAlive) parse("{\"type\":\"keep-alive\"}");
    assertThat(off.content()).isNull();
    assertThat(off.timeout()).isEqualTo(Duration.ofSeconds(55));
    ControlMessage.SendDelayed sd = (ControlMessage.SendDelayed) parse("{\"type\":\"send-delayed\",\"content\":\"x\"}");
    assertThat(sd.timeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{|control message is not valid JSON",
      "[]|control message must be a JSON object",
      "{}|control message needs a string 'type'",
      "{\"type\":\"subscribe\"}|subscribe: 'channel' must be a non-empty string",
      "{\"type\":\"subscribe\",\"channel\":1}|subscribe: 'channel' must be a string",
      "{\"type\":\"subscribe\",\"channel\":\"c\",\"filters\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}|subscribe: 6 filters; at most 5 are allowed",
      "{\"type\":\"keep-alive\",\"mode\":\"x\"}|keep-alive: 'mode' must be idle or interval",
      "{\"type\":\"keep-alive\",\"message-type\":\"loud\"}|keep-alive: 'message-type' must be text, binary, ping or pong",
      "{\"type\":\"keep-alive\",\"timeout\":-1}|keep-alive: 'timeout' must be a whole number of seconds from 0 to 31536000",
      "{\"type\":\"send-delayed\"}|send-delayed: needs 'content' or 'content-bin'",
      "{\"type\":\"set-meta\"}|set-meta: 'name' must be a non-empty string",
  })
  void malformedMessagesNameTheField(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(ControlMessageException.class).hasMessage(message);
  }

  @Test
  void garbageOnlyEverThrowsTheDocumentedException() {
    Random r = new Random(11);
    String valid = "{\"type\":\"keep-alive\",\"content\":\"x\",\"timeout\":3,\"mode\":\"idle\",\"message-type\":\"text\"}";
    String alphabet = "{}[]\":,0123456789abcdefghijklmnopqrstuvwxyz-\\ ";
    for (int i = 0; i < 30_000; i++) {
      StringBuilder sb = new StringBuilder(valid);
      for (int k = 0; k < 1 + r.nextInt(3); k++) {
        sb.setCharAt(r.nextInt(sb.length()), alphabet.charAt(r.nextInt(alphabet.length())));
      }
      try {
        parse(sb.toString());
      } catch (ControlMessageException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void gripExtensionAcceptance() {
    assertThat(GripExtension.acceptedPrefix("grip")).isEqualTo(Optional.of("m:"));
    assertThat(GripExtension.acceptedPrefix("permessage-deflate, grip; message-prefix=\"\"")).isEqualTo(Optional.of(""));
    assertThat(GripExtension.acceptedPrefix("grip; message-prefix=\"x;y\"")).isEqualTo(Optional.of("x;y"));
    assertThat(GripExtension.acceptedPrefix("gripper")).isEmpty();
    assertThat(GripExtension.acceptedPrefix(null)).isEmpty();
    assertThat(GripExtension.acceptedPrefix("\"\"\";;,,grip")).isEmpty();
  }
}
