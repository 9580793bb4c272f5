package dev.p8.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.grip.GripSig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GripSigVerifierTest {

  private static final byte[] KEY = "changeme".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void acceptsATokenFromTheProxyUntilItExpires() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSigVerifier.of(KEY, null, CLOCK).verify(token)).isTrue();
    assertThat(GripSigVerifier.of(KEY, "pushpin", CLOCK).verify(token)).isTrue();
    Clock later = Clock.offset(CLOCK, GripSig.LIFETIME.plus(Duration.ofSeconds(1)));
    assertThat(GripSigVerifier.of(KEY, null, later).verify(token)).isFalse();
  }

  @Test
  void refusesOtherKeysIssuersAndNoToken() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSigVerifier.of("other".getBytes(StandardCharsets.UTF_8), null, CLOCK).verify(token)).isFalse();
    assertThat(GripSigVerifier.of(KEY, "someone-else", CLOCK).verify(token)).isFalse();
    assertThat(GripSigVerifier.of(KEY, null, CLOCK).verify((String) null)).isFalse();
  }

  @Test
  void findsTheHeaderInAnyCaseAndRefusesTwo() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    GripSigVerifier v = GripSigVerifier.of(KEY, null, CLOCK);
    assertThat(v.verify(Map.of("grip-sig", List.of(token)))).isTrue();
    assertThat(v.verify(Map.of("Grip-Sig", List.of(token, token)))).isFalse();
    assertThat(v.verify(Map.of("Host", List.of("x")))).isFalse();
  }

  @Test
  void garbageIsRefusedNotThrown() {
    GripSigVerifier v = GripSigVerifier.of(KEY, "pushpin", CLOCK);
    String token = GripSig.sign("pushpin", KEY, NOW);
    Random random = new Random(3);
    for (int i = 0; i < 2000; i++) {
      char[] chars = token.toCharArray();
      chars[random.nextInt(chars.length)] = (char) random.nextInt(128);
      String mutated = new String(chars);
      if (!mutated.equals(token)) {
        assertThat(v.verify(mutated)).as(mutated).isFalse();
      }
    }
  }

  @Test
  void anEmptyKeyIsRefused() {
    assertThatThrownBy(() -> GripSigVerifier.of(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Grip-Sig key must not be empty");
  }
}
