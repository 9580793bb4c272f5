package dev.p8.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.grip.ChannelSubscription;
import dev.p8.grip.GripInstruction;
import dev.p8.grip.GripLink;
import dev.p8.grip.HoldMode;
import dev.p8.grip.KeepAlive;
import dev.p8.grip.KeepAliveMode;
import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Headers built by {@link GripHeaders} parse back, with {@link GripInstruction}, to what was built. */
class GripHeadersTest {

  private static GripInstruction parse(GripHeaders headers) throws Exception {
    return GripInstruction.parse(headers.toMap(), null);
  }

  @Test
  void aStreamHoldWithEverything() throws Exception {
    GripHeaders h = GripHeaders.builder()
        .holdStream()
        .channel("news")
        .channel(new ChannelSubscription("scores", "id-41", List.of("skip-self", "build-id")))
        .keepAlive(":\n\n", Duration.ofSeconds(20))
        .nextLink("/stream?after=41", Duration.ofSeconds(30))
        .setMeta("user", "alice")
        .build();
    assertThat(h.headers()).containsExactly(
        new Header("Grip-Hold", "stream"),
        new Header("Grip-Channel", "news, scores; prev-id=id-41; filter=skip-self; filter=build-id"),
        new Header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=20"),
        new Header("Grip-Set-Meta", "user=alice"),
        new Header("Grip-Link", "</stream?after=41>; rel=next; timeout=30"));
    GripInstruction grip = parse(h);
    assertThat(grip.hold()).contains(HoldMode.STREAM);
    assertThat(grip.channels()).containsExactly(ChannelSubscription.of("news"),
        new ChannelSubscription("scores", "id-41", List.of("skip-self", "build-id")));
    assertThat(grip.keepAlive()).contains(KeepAlive.of(":\n\n".getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(20), KeepAliveMode.IDLE));
    assertThat(grip.nextLink()).contains(new GripLink("/stream?after=41", "next", Duration.ofSeconds(30)));
    assertThat(grip.meta()).containsExactly(Map.entry("user", "alice"));
  }

  @Test
  void aLongPollWithTimeoutAndStatus() throws Exception {
    GripHeaders h = GripHeaders.builder().holdResponse().channel("inbox", "7")
        .timeout(Duration.ofSeconds(25)).status(304, "Not Modified").build();
    GripInstruction grip = parse(h);
    assertThat(grip.hold()).contains(HoldMode.RESPONSE);
    assertThat(grip.channels()).containsExactly(new ChannelSubscription("inbox", "7", List.of()));
    assertThat(grip.timeout()).isEqualTo(Duration.ofSeconds(25));
    assertThat(grip.status()).hasValue(304);
    assertThat(grip.reason()).contains("Not Modified");
  }

  @Test
  void valuesTheSyntaxReservesAreQuotedOrEncoded() throws Exception {
    byte[] binary = {0, 1, (byte) 0xff, ';', ','};
    GripHeaders h = GripHeaders.builder().holdStream()
        .channel(new ChannelSubscription("c", "a \"quoted\", ; \\ id", List.of("f")))
        .keepAlive(KeepAlive.of(binary, Duration.ofSeconds(5), KeepAliveMode.INTERVAL))
        .setMeta("note", "x; y=\"z\", w")
        .build();
    assertThat(h.toMap().get("Grip-Keep-Alive")).containsExactly("AAH/Oyw=; format=base64; timeout=5; mode=interval");
    GripInstruction grip = parse(h);
    assertThat(grip.channels().get(0).prevId()).isEqualTo("a \"quoted\", ; \\ id");
    assertThat(grip.keepAlive().orElseThrow().content()).isEqualTo(binary);
    assertThat(grip.keepAlive().orElseThrow().mode()).isEqualTo(KeepAliveMode.INTERVAL);
    assertThat(grip.meta()).containsEntry("note", "x; y=\"z\", w");
  }

  @Test
  void randomValuesRoundTrip() throws Exception {
    Random random = new Random(8);
    for (int run = 0; run < 2000; run++) {
      String name = randomText(random, "abcXYZ09-_.:/@!<>[]{}=+ ", 1, 12).trim();
      if (name.isEmpty()) {
        continue;
      }
      String prevId = random.nextBoolean() ? null : randomText(random, "ab1 ;,\"\\=-<>", 0, 10);
      List<String> filters = new ArrayList<>();
      for (int i = random.nextInt(3); i > 0; i--) {
        filters.add(randomText(random, "ab-;,\" ", 1, 6));
      }
      byte[] data = new byte[1 + random.nextInt(8)];
      random.nextBytes(data);
      if (random.nextBoolean()) {
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (0x20 + (data[i] & 0x5f));
        }
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("k" + random.nextInt(5), randomText(random, "ab ;,=\"\\", 0, 8));
      ChannelSubscription sub = new ChannelSubscription(name, prevId, filters);
      KeepAlive keepAlive = KeepAlive.of(data, Duration.ofSeconds(1 + random.nextInt(100)),
          random.nextBoolean() ? KeepAliveMode.IDLE : KeepAliveMode.INTERVAL);
      GripHeaders.Builder b = GripHeaders.builder().holdStream().channel(sub).keepAlive(keepAlive);
      meta.forEach(b::setMeta);
      GripHeaders h = b.build();
      GripInstruction grip = parse(h);
      assertThat(grip.channels()).as("%s", h).containsExactly(sub);
      assertThat(grip.keepAlive()).as("%s", h).contains(keepAlive);
      assertThat(grip.meta()).as("%s", h).isEqualTo(meta);
    }
  }

  private static String randomText(Random random, String alphabet, int min, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = min + random.nextInt(max - min + 1); i > 0; i--) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @Test
  void emptyBuilderMakesNoHeaders() {
    assertThat(GripHeaders.builder().build().headers()).isEmpty();
    assertThat(GripInstruction.isInstruct(GripHeaders.builder().build().toMap())).isFalse();
  }

  @Test
  void refusesWhatTheHeadersCannotCarry() {
    assertThatThrownBy(() -> GripHeaders.builder().channel("a,b"))
        .hasMessage("channel name has ',' at index 1; a Grip-Channel cannot carry it");
    assertThatThrownBy(() -> GripHeaders.builder().channel("a\nb"))
        .hasMessage("channel name has control character 0x0a at index 1; a Grip-Channel cannot carry it");
    assertThatThrownBy(() -> GripHeaders.builder().channel(" a"))
        .hasMessage("channel name ' a' has spaces around it; a Grip-Channel cannot carry them");
    assertThatThrownBy(() -> GripHeaders.builder().channel(""))
        .hasMessage("channel name must not be empty");
    assertThatThrownBy(() -> GripHeaders.builder().channel("a", "x\ry"))
        .hasMessage("prev-id has control character 0x0d at index 1");
    assertThatThrownBy(() -> GripHeaders.builder().timeout(Duration.ofMillis(1500)))
        .hasMessage("timeout must be whole seconds from 0 to 2147483647, was PT1.5S");
    assertThatThrownBy(() -> GripHeaders.builder().timeout(Duration.ofSeconds(-1)))
        .hasMessage("timeout must be whole seconds from 0 to 2147483647, was PT-1S");
    assertThatThrownBy(() -> GripHeaders.builder().keepAlive("", Duration.ofSeconds(5)))
        .hasMessage("keep-alive content must not be empty");
    assertThatThrownBy(() -> GripHeaders.builder().nextLink("/a>b", null))
        .hasMessage("next link has '>' at index 2; a Grip-Link cannot carry it");
    assertThatThrownBy(() -> GripHeaders.builder().nextLink("/a", Duration.ZERO))
        .hasMessage("next link timeout must be at least 1 s, was PT0S");
    assertThatThrownBy(() -> GripHeaders.builder().setMeta("a b", "x"))
        .hasMessage("meta name 'a b' must be letters, digits and - _ . only");
    assertThatThrownBy(() -> GripHeaders.builder().status(99, null))
        .hasMessage("status code must be 100-999, was 99");
  }
}
