package dev.p8.grip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class GripSigTest {

  private static final byte[] KEY = "changeme".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSignedTokenVerifiesAndItsPayloadHasExactlyIssAndExp() throws Exception {
    String token = GripSig.sign("pushpin", KEY, NOW);

    assertThat(GripSig.verify(token, KEY, NOW)).isTrue();
    assertThat(GripSig.verify(token, KEY, "pushpin", NOW)).isTrue();
    String[] parts = token.split("\\.", -1);
    assertThat(parts).hasSize(3);
    JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
    JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(header.get("alg").asText()).isEqualTo("HS256");
    List<String> names = new java.util.ArrayList<>();
    for (Iterator<String> it = claims.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    assertThat(names).containsExactlyInAnyOrder("iss", "exp");
    assertThat(claims.get("iss").asText()).isEqualTo("pushpin");
    assertThat(claims.get("exp").isIntegralNumber()).isTrue();
    assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 3600);
    assertThat(token).doesNotContain("=", "+", "/");
  }

  @Test
  void signMatchesAnHs256VectorComputedWithPythonHmac() {
    // python3: hmac.new(b"changeme", signing_input, hashlib.sha256), base64url without padding.
    assertThat(GripSig.sign("pushpin", KEY, NOW)).isEqualTo(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxODAwMDAzNjAwfQ"
            + ".CwYrqghvOxQl8yNli4p1RqcCv6AZf8gC5ztiSZ_3rak");
  }

  @Test
  void acceptsATokenShapedLikePushpinsOwn() {
    // Pushpin's JWT library writes typ before alg, and its claim map is sorted: exp before iss.
    String pushpin = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4MDAwMDM2MDAsImlzcyI6InB1c2hwaW4ifQ"
        + ".xHdFCnBS4pbsWUOz1XaAmSrB8JBVMz0o3an4tYWMr84";
    assertThat(GripSig.verify(pushpin, KEY, "pushpin", NOW)).isTrue();
  }

  @Test
  void expiresOneHourAfterSigning() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSig.verify(token, KEY, NOW.plus(GripSig.LIFETIME).minusSeconds(1))).isTrue();
    assertThat(GripSig.verify(token, KEY, NOW.plus(GripSig.LIFETIME))).as("exp is exclusive").isFalse();
    assertThat(GripSig.verify(token, KEY, NOW.plusSeconds(86_400))).isFalse();
  }

  @Test
  void rejectsAWrongKeyOrIssuer() {
    String token = GripSig.sign("pushpin", KEY, NOW);
    assertThat(GripSig.verify(token, "changemf".getBytes(StandardCharsets.UTF_8), NOW)).isFalse();
    assertThat(GripSig.verify(token, KEY, "someone-else", NOW)).isFalse();
    assertThat(GripSig.verify(token, KEY, "", NOW)).isFalse();
  }

  @Test
  void rejectsTamperedClaimsAndSignatures() {
    String[] parts = GripSig.sign("pushpin", KEY, NOW).split("\\.");
    String longerLife = b64("{\"iss\":\"pushpin\",\"exp\":9999999999}");
    assertThat(GripSig.verify(parts[0] + "." + longerLife + "." + parts[2], KEY, NOW)).isFalse();

    char last = parts[2].charAt(parts[2].length() - 1);
    String flipped = parts[2].substring(0, parts[2].length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(GripSig.verify(parts[0] + "." + parts[1] + "." + flipped, KEY, NOW)).isFalse();
    assertThat(GripSig.verify(parts[0] + "." + parts[1] + "." + parts[2] + "=", KEY, NOW))
        .as("padding changes the text of the signature").isFalse();
    assertThat(GripSig.verify(parts[0] + "." + parts[1] + ".", KEY, NOW)).isFalse();
    assertThat(GripSig.verify(parts[0] + "." + parts[1], KEY, NOW)).isFalse();
    assertThat(GripSig.verify(parts[0] + "." + parts[1] + "." + parts[2] + ".x", KEY, NOW)).isFalse();
  }

  @Test
  void rejectsAlgNoneAndOtherAlgorithmsEvenWhenTheHmacMatches() {
    String claims = b64("{\"iss\":\"pushpin\",\"exp\":1800003600}");
    for (String header : new String[] {"{\"alg\":\"none\"}", "{\"alg\":\"HS512\"}", "{\"typ\":\"JWT\"}",
        "[\"HS256\"]", "{\"alg\":\"hs256\"}"}) {
      String input = b64(header) + "." + claims;
      assertThat(GripSig.verify(input + ".", KEY, NOW)).as(header + " unsigned").isFalse();
      assertThat(GripSig.verify(input + "." + hmac(input), KEY, NOW)).as(header + " signed").isFalse();
    }
  }

  @Test
  void rejectsSignedTokensWithoutAUsableExp() {
    for (String claims : new String[] {"{\"iss\":\"pushpin\"}", "{\"exp\":\"1900000000\"}", "[]", "7", "{",
        "{\"exp\":null}", "{\"exp\":1799999999}"}) {
      String input = b64("{\"alg\":\"HS256\"}") + "." + b64(claims);
      assertThat(GripSig.verify(input + "." + hmac(input), KEY, NOW)).as(claims).isFalse();
    }
    String fractional = b64("{\"alg\":\"HS256\"}") + "." + b64("{\"exp\":1800000000.5}");
    assertThat(GripSig.verify(fractional + "." + hmac(fractional), KEY, NOW)).isTrue();
  }

  @Test
  void rejectsGarbageWithoutThrowing() {
    for (String token : new String[] {null, "", ".", "..", "...", "a.b.c", "a.b.c.d", "é.é.é", " . . ",
        "eyJ.eyJ.eyJ", "x".repeat(10_000)}) {
      assertThat(GripSig.verify(token, KEY, NOW)).as(String.valueOf(token)).isFalse();
      assertThat(GripSig.verify(token, KEY, "pushpin", NOW)).isFalse();
    }
  }

  @Test
  void anEmptyOrMissingKeyIsAProgrammingError() {
    assertThatThrownBy(() -> GripSig.sign("i", new byte[0], NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Grip-Sig key must not be empty");
    assertThatThrownBy(() -> GripSig.verify("a.b.c", new byte[0], NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Grip-Sig key must not be empty");
    assertThatThrownBy(() -> GripSig.verify("a.b.c", null, NOW))
        .isInstanceOf(NullPointerException.class).hasMessage("key");
  }

  private static String hmac(String input) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
