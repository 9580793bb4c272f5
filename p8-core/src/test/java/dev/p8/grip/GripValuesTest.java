package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Header;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value types refuse invalid parts with a message naming them, and are immutable. */
class GripValuesTest {

  @Test
  void channelSubscriptionValidatesAndCopies() {
    List<String> filters = new ArrayList<>(List.of("f"));
    ChannelSubscription c = new ChannelSubscription("c", null, filters);
    filters.add("g");
    assertThat(c.filters()).containsExactly("f");
    assertThatThrownBy(() -> new ChannelSubscription("", null, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("channel name must not be empty");
    assertThatThrownBy(() -> new ChannelSubscription("c", null, List.of("1", "2", "3", "4", "5", "6")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("channel has 6 filters; at most 5 are allowed");
    assertThatThrownBy(() -> new ChannelSubscription("c", null, Arrays.asList("f", null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("channel filter names must not be null or empty");
    assertThatThrownBy(() -> new ChannelSubscription("c", null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("filters");
  }

  @Test
  void gripLinkValidates() {
    assertThatThrownBy(() -> new GripLink("/x", "prev", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("link rel must be 'next' or 'gone', not 'prev'");
    assertThatThrownBy(() -> new GripLink("", "next", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("link uri must not be empty");
    assertThatThrownBy(() -> new GripLink("/x", "next", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("link timeout must not be negative, was PT-1S");
  }

  @Test
  void instructResponseValidatesCopiesAndComparesBodies() {
    byte[] body = {1, 2};
    InstructResponse r = new InstructResponse(200, null, List.of(new Header("A", "b")), body);
    body[0] = 9;
    assertThat(r.body()).containsExactly(1, 2);
    r.body()[1] = 9;
    assertThat(r.body()).containsExactly(1, 2);
    assertThat(r).isEqualTo(new InstructResponse(200, null, List.of(new Header("A", "b")), new byte[] {1, 2}));
    assertThat(r.hashCode())
        .isEqualTo(new InstructResponse(200, null, List.of(new Header("A", "b")), new byte[] {1, 2}).hashCode());
    assertThat(r).isNotEqualTo(new InstructResponse(200, null, List.of(new Header("A", "b")), new byte[] {1}));
    assertThat(r.toString()).isEqualTo("InstructResponse[code=200, reason=null, headers=[Header[name=A, value=b]],"
        + " body=2 bytes]");
    assertThatThrownBy(() -> new InstructResponse(1000, null, List.of(), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("response code must be 0-999, was 1000");
  }

  @Test
  void keepAliveValidatesAndCopies() {
    byte[] content = {'x'};
    KeepAlive k = KeepAlive.of(content, Duration.ofSeconds(1), KeepAliveMode.IDLE);
    content[0] = 'y';
    assertThat(k.content()).containsExactly('x');
    assertThat(k).isEqualTo(KeepAlive.of(new byte[] {'x'}, Duration.ofSeconds(1), KeepAliveMode.IDLE))
        .isNotEqualTo(KeepAlive.of(new byte[] {'x'}, Duration.ofSeconds(1), KeepAliveMode.INTERVAL));
    assertThat(k.toString()).isEqualTo("KeepAlive{1 bytes, timeout=PT1S, mode=IDLE}");
    assertThatThrownBy(() -> KeepAlive.of(new byte[0], Duration.ofSeconds(1), KeepAliveMode.IDLE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("keep-alive content must not be empty");
    assertThatThrownBy(() -> KeepAlive.of(content, Duration.ofMillis(999), KeepAliveMode.IDLE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("keep-alive timeout must be at least 1 s, was PT0.999S");
  }
}
