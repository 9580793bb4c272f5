package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GripSigTest {

  private static final byte[] KEY = "changeme".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

  @Test
  void aSignedTokenVerifiesAndCarriesIssAndExpOnly() throws Exception {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSig.verify(token, KEY, NOW)).isTrue();
    assertThat(GripSig.verify(token, KEY, "pushpin", NOW)).isTrue();
    assertThat(GripSig.verify(token, KEY, "someone-else", NOW)).isFalse();

    String[] parts = token.split("\\.");
    JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
    JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(header.get("alg").asText()).isEqualTo("HS256");
    assertThat(claims.size()).isEqualTo(2);
    assertThat(claims.get("iss").asText()).isEqualTo("pushpin");
    assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 3600);
  }

  @Test
  void matchesAKnownHs256Vector() {
    // Computed independently: HMAC-SHA256 over the JWT signing input with key "changeme".
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(token).startsWith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxODAwMDAzNjAwfQ.");
  }

  @Test
  void rejectsExpiredTamperedWrongKeyAndUnsignedTokens() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSig.verify(token, KEY, NOW.plusSeconds(3600))).as("expired").isFalse();
    assertThat(GripSig.verify(token, "other".getBytes(StandardCharsets.UTF_8), NOW)).as("wrong key").isFalse();
    String[] parts = token.split("\\.");
    String forgedClaims = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"iss\":\"pushpin\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
    assertThat(GripSig.verify(parts[0] + "." + forgedClaims + "." + parts[2], KEY, NOW)).as("tampered").isFalse();
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(GripSig.verify(none + "." + parts[1] + ".", KEY, NOW)).as("alg none").isFalse();
    assertThat(GripSig.verify(null, KEY, NOW)).isFalse();
    assertThat(GripSig.verify("", KEY, NOW)).isFalse();
    assertThat(GripSig.verify("a.b.c.d", KEY, NOW)).isFalse();
  }

  @Test
  void anEmptyKeyIsAProgrammingError() {
    assertThatThrownBy(() -> GripSig.sign("i", new byte[0], NOW)).hasMessage("Grip-Sig key must not be empty");
  }
}
