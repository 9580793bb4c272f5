package dev.p8.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GripControlTest {

  @Test
  void controlMessagesAreCPrefixedJson() {
    assertThat(GripControl.subscribe("room")).isEqualTo("c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
    assertThat(GripControl.subscribe("room", List.of("skip-self", "build-id")))
        .isEqualTo("c:{\"type\":\"subscribe\",\"channel\":\"room\",\"filters\":[\"skip-self\",\"build-id\"]}");
    assertThat(GripControl.unsubscribe("r\"q")).isEqualTo("c:{\"type\":\"unsubscribe\",\"channel\":\"r\\\"q\"}");
    assertThat(GripControl.detach()).isEqualTo("c:{\"type\":\"detach\"}");
    assertThat(GripControl.keepAlive("{}", Duration.ofSeconds(30)))
        .isEqualTo("c:{\"type\":\"keep-alive\",\"content\":\"{}\",\"timeout\":30,\"mode\":\"idle\"}");
    assertThat(GripControl.setMeta("user", "alice")).isEqualTo("c:{\"type\":\"set-meta\",\"name\":\"user\",\"value\":\"alice\"}");
    assertThat(GripControl.setMeta("user", null)).isEqualTo("c:{\"type\":\"set-meta\",\"name\":\"user\"}");
    assertThat(GripControl.message("hi")).isEqualTo("m:hi");
    assertThat(GripControl.PREFIX).isEqualTo("c:");
    assertThat(GripControl.DEFAULT_MESSAGE_PREFIX).isEqualTo("m:");
  }

  @Test
  void argumentsAreCheckedAndNamed() {
    assertThatThrownBy(() -> GripControl.subscribe("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel must be a non-empty string, was \"\"");
    assertThatThrownBy(() -> GripControl.unsubscribe(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel must be a non-empty string, was null");
    assertThatThrownBy(() -> GripControl.subscribe("c", List.of("1", "2", "3", "4", "5", "6")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("filters must hold at most 5 names, was 6");
    assertThatThrownBy(() -> GripControl.subscribe("c", Arrays.asList("skip-self", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("filters must not hold an empty or null name, was [skip-self, null]");
    assertThatThrownBy(() -> GripControl.keepAlive("x", Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be whole seconds from 1 to 2147483647, was PT1.5S");
    assertThatThrownBy(() -> GripControl.keepAlive("x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be whole seconds from 1 to 2147483647, was PT0S");
    assertThatThrownBy(() -> GripControl.setMeta("", "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must be a non-empty string, was \"\"");
  }
}
