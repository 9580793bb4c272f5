package dev.p8.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.websocket.GripControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlMessagesTest {

  private static ControlMessage parse(String json) throws ControlMessageException {
    return ControlMessages.parse(json.replace('\'', '"'));
  }

  private static ControlMessage parseControl(String message) throws ControlMessageException {
    assertThat(message).startsWith(GripControl.PREFIX);
    return ControlMessages.parse(message.substring(GripControl.PREFIX.length()));
  }

  @Test
  void parsesWhatGripControlBuilds() throws Exception {
    assertThat(parseControl(GripControl.subscribe("room"))).isEqualTo(new ControlMessage.Subscribe("room", List.of()));
    assertThat(parseControl(GripControl.subscribe("room", List.of("skip-self", "var-subst"))))
        .isEqualTo(new ControlMessage.Subscribe("room", List.of("skip-self", "var-subst")));
    assertThat(parseControl(GripControl.unsubscribe("r\"q"))).isEqualTo(new ControlMessage.Unsubscribe("r\"q"));
    assertThat(parseControl(GripControl.detach())).isEqualTo(new ControlMessage.Detach());
    assertThat(parseControl(GripControl.setMeta("user", "alice"))).isEqualTo(new ControlMessage.SetMeta("user", "alice"));
    assertThat(parseControl(GripControl.setMeta("user", null))).isEqualTo(new ControlMessage.SetMeta("user", null));
    ControlMessage.KeepAlive ka = (ControlMessage.KeepAlive) parseControl(GripControl.keepAlive("\u00e9", Duration.ofSeconds(20)));
    assertThat(ka.content()).isEqualTo("\u00e9".getBytes(StandardCharsets.UTF_8));
    assertThat(ka.messageType()).isEqualTo(ControlMessage.MessageType.TEXT);
    assertThat(ka.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(ka.interval()).isFalse();
  }

  @Test
  void parsesTheRemainingTypes() throws Exception {
    assertThat(parse("{'type':'flush-delayed'}")).isEqualTo(new ControlMessage.FlushDelayed());
    assertThat(parse("{'type':'session','id':'x'}")).isEqualTo(new ControlMessage.Unknown("session"));
    assertThat(parse("{'type':'close','code':1000}")).isEqualTo(new ControlMessage.Unknown("close"));
    assertThat(parse("{'type':''}")).isEqualTo(new ControlMessage.Unknown(""));
    // The caller logs the type, so it is bounded.
    assertThat(parse("{'type':'" + "x".repeat(100) + "'}")).isEqualTo(new ControlMessage.Unknown("x".repeat(40)));
    assertThat(parse("{'type':'subscribe','channel':'c','filters':null,'extra':[1]}"))
        .isEqualTo(new ControlMessage.Subscribe("c", List.of()));
    assertThat(parse("{'type':'subscribe','channel':'c','filters':['','a','b','c','d']}"))
        .isEqualTo(new ControlMessage.Subscribe("c", List.of("", "a", "b", "c", "d")));
  }

  @Test
  void keepAliveFollowsPushpinDefaults() throws Exception {
    ControlMessage.KeepAlive ka = (ControlMessage.KeepAlive) parse(
        "{'type':'keep-alive','content-bin':'AAE=','message-type':'ping','timeout':30,'mode':'interval'}");
    assertThat(ka.content()).containsExactly(0, 1);
    assertThat(ka.messageType()).isEqualTo(ControlMessage.MessageType.PING);
    assertThat(ka.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ka.interval()).isTrue();

    ControlMessage.KeepAlive off = (ControlMessage.KeepAlive) parse("{'type':'keep-alive'}");
    assertThat(off.content()).isNull();
    assertThat(off.timeout()).isEqualTo(Duration.ofSeconds(55));
    assertThat(off.interval()).isFalse();

    // content-bin wins over content, as in Pushpin.
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','content':'text','content-bin':'Yg=='}")).content())
        .containsExactly('b');
    // A timeout of 0 means the default.
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','content':'x','timeout':0}")).timeout())
        .isEqualTo(Duration.ofSeconds(55));
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','content':'x','timeout':20.0}")).timeout())
        .isEqualTo(Duration.ofSeconds(20));
    // Pushpin only reads the timeout when there is content, and treats any mode but interval as idle.
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','timeout':'soon'}")).timeout())
        .isEqualTo(Duration.ofSeconds(55));
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','content':'x','mode':'Interval'}")).interval())
        .isFalse();
    assertThat(((ControlMessage.KeepAlive) parse("{'type':'keep-alive','content-bin':''}")).content()).isEmpty();
  }

  @Test
  void sendDelayedFollowsPushpinDefaults() throws Exception {
    ControlMessage.SendDelayed sd = (ControlMessage.SendDelayed) parse("{'type':'send-delayed','content':'x'}");
    assertThat(sd.content()).containsExactly('x');
    assertThat(sd.messageType()).isEqualTo(ControlMessage.MessageType.TEXT);
    assertThat(sd.timeout()).isEqualTo(Duration.ofSeconds(1));
    ControlMessage.SendDelayed bin = (ControlMessage.SendDelayed) parse(
        "{'type':'send-delayed','content-bin':'/w==','message-type':'binary','timeout':5}");
    assertThat(bin.content()).containsExactly(0xff);
    assertThat(bin.messageType()).isEqualTo(ControlMessage.MessageType.BINARY);
    assertThat(bin.timeout()).isEqualTo(Duration.ofSeconds(5));
    // Without content Pushpin sends an empty message after the default delay.
    ControlMessage.SendDelayed empty = (ControlMessage.SendDelayed) parse(
        "{'type':'send-delayed','message-type':'pong','timeout':9}");
    assertThat(empty.content()).isEmpty();
    assertThat(empty.messageType()).isEqualTo(ControlMessage.MessageType.PONG);
    assertThat(empty.timeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{|control message is not valid JSON (at character 1)",
      "{'type':'detach'} x|control message is not valid JSON (at character 19)",
      "{'type':'detach'}{}|control message is not valid JSON (at character 17)",
      "''|control message must be a JSON object",
      "[]|control message must be a JSON object",
      "null|control message must be a JSON object",
      "{}|control message needs a string 'type'",
      "{'type':null}|control message needs a string 'type'",
      "{'type':['subscribe']}|control message needs a string 'type'",
      "{'type':'subscribe'}|subscribe: 'channel' must be a non-empty string",
      "{'type':'subscribe','channel':''}|subscribe: 'channel' must be a non-empty string",
      "{'type':'unsubscribe'}|unsubscribe: 'channel' must be a non-empty string",
      "{'type':'subscribe','channel':1}|subscribe: 'channel' must be a string",
      "{'type':'subscribe','channel':'c','filters':'skip-self'}|subscribe: 'filters' must be a list of strings",
      "{'type':'subscribe','channel':'c','filters':[1]}|subscribe: 'filters' must be a list of strings",
      "{'type':'keep-alive','mode':5}|keep-alive: 'mode' must be a string",
      "{'type':'keep-alive','message-type':'loud'}|keep-alive: 'message-type' must be text, binary, ping or pong",
      "{'type':'keep-alive','message-type':'TEXT'}|keep-alive: 'message-type' must be text, binary, ping or pong",
      "{'type':'keep-alive','content':1}|keep-alive: 'content' must be a string",
      "{'type':'keep-alive','content-bin':'%%'}|keep-alive: 'content-bin' is not valid base64",
      "{'type':'keep-alive','content-bin':true}|keep-alive: 'content-bin' must be a string",
      "{'type':'keep-alive','content':'x','timeout':-1}|keep-alive: 'timeout' must be a whole number of seconds from 0 to 2147483647",
      "{'type':'keep-alive','content':'x','timeout':2.5}|keep-alive: 'timeout' must be a whole number of seconds from 0 to 2147483647",
      "{'type':'keep-alive','content':'x','timeout':'3'}|keep-alive: 'timeout' must be a whole number of seconds from 0 to 2147483647",
      "{'type':'keep-alive','content':'x','timeout':2147483648}|keep-alive: 'timeout' must be a whole number of seconds from 0 to 2147483647",
      "{'type':'send-delayed','content':'x','timeout':1e99}|send-delayed: 'timeout' must be a whole number of seconds from 0 to 2147483647",
      "{'type':'send-delayed','message-type':7}|send-delayed: 'message-type' must be a string",
      "{'type':'set-meta'}|set-meta: 'name' must be a non-empty string",
      "{'type':'set-meta','name':''}|set-meta: 'name' must be a non-empty string",
      "{'type':'set-meta','name':'u','value':3}|set-meta: 'value' must be a string",
  })
  void malformedMessagesNameTheField(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(ControlMessageException.class, e -> {
      assertThat(e).hasMessage(message);
      assertThat(e.closesConnection()).isFalse();
    });
  }

  @Test
  void tooManyFiltersClosesTheConnection() {
    assertThatThrownBy(() -> parse("{'type':'subscribe','channel':'c','filters':['a','b','c','d','e','f']}"))
        .isInstanceOfSatisfying(ControlMessageException.class, e -> {
          assertThat(e).hasMessage("subscribe: 6 filters; at most 5 are allowed");
          assertThat(e.closesConnection()).isTrue();
        });
  }

  @Test
  void garbageOnlyEverThrowsTheDocumentedException() {
    Random r = new Random(11);
    List<String> valid = List.of(
        "{\"type\":\"keep-alive\",\"content\":\"x\",\"timeout\":3,\"mode\":\"idle\",\"message-type\":\"text\"}",
        "{\"type\":\"send-delayed\",\"content-bin\":\"AAE=\",\"timeout\":1,\"message-type\":\"ping\"}",
        "{\"type\":\"subscribe\",\"channel\":\"c\",\"filters\":[\"skip-self\",\"a\",\"b\",\"c\",\"d\"]}",
        "{\"type\":\"set-meta\",\"name\":\"user\",\"value\":\"v\"}",
        "{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
    List<String> keys = List.of("type", "channel", "filters", "content", "content-bin", "message-type", "timeout",
        "mode", "name", "value");
    List<String> values = List.of("\"subscribe\"", "\"keep-alive\"", "\"send-delayed\"", "\"set-meta\"",
        "\"unsubscribe\"", "\"x\"", "\"\"", "1", "-1", "0", "2.5", "1e400", "-0", "null", "true", "[]", "[\"a\"]",
        "{}", "\"AAE=\"", "\"%\"", "\"interval\"", "\"ping\"", "99999999999999999999");
    String alphabet = "{}[]\":,0123456789abcdefghijklmnopqrstuvwxyz-\\ .e+\u00e9\ud83d";
    int parsed = 0;
    for (int i = 0; i < 40_000; i++) {
      String input = switch (i % 3) {
        case 0 -> {
          StringBuilder sb = new StringBuilder(valid.get(r.nextInt(valid.size())));
          for (int k = 0; k < 1 + r.nextInt(3); k++) {
            int at = r.nextInt(sb.length());
            char c = alphabet.charAt(r.nextInt(alphabet.length()));
            switch (r.nextInt(3)) {
              case 0 -> sb.setCharAt(at, c);
              case 1 -> sb.insert(at, c);
              default -> sb.deleteCharAt(at);
            }
          }
          yield sb.toString();
        }
        case 1 -> {
          // Well-formed objects with the real keys and wrong or odd values reach the field checks.
          StringBuilder sb = new StringBuilder("{");
          for (int k = 0; k < 1 + r.nextInt(5); k++) {
            sb.append(k == 0 ? "" : ",").append('"').append(k == 0 ? "type" : keys.get(r.nextInt(keys.size())))
                .append("\":").append(values.get(r.nextInt(values.size())));
          }
          yield sb.append('}').toString();
        }
        default -> {
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < r.nextInt(30); k++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
          }
          yield sb.toString();
        }
      };
      try {
        assertThat(ControlMessages.parse(input)).isNotNull();
        parsed++;
      } catch (ControlMessageException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
    assertThat(parsed).as("some inputs are valid").isGreaterThan(1_000);
  }
}
