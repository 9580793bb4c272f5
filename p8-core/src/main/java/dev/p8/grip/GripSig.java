package dev.p8.grip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Grip-Sig} token P8 puts on every request to a backend when a key is set: an HS256
 * JSON Web Token with claims {@code iss} and {@code exp}. A backend verifies it to know that
 * the request came through its proxy:
 *
 * <pre>{@code
 * if (!GripSig.verify(request.getHeader("Grip-Sig"), key, Instant.now())) { reject(); }
 * }</pre>
 *
 * <p>Stateless and thread safe.
 */
public final class GripSig {

  /** How long a token is valid: one hour, as Pushpin. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final String HEADER = B64.encodeToString(
      "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
  private static final int MAX_TOKEN_LENGTH = 8192;

  private GripSig() {}

  /**
   * Makes a token.
   *
   * @param issuer the {@code iss} claim
   * @param key    the HMAC key
   * @param now    the current time; {@code exp} is one hour later
   * @return the compact JWT
   */
  public static String sign(String issuer, byte[] key, Instant now) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(now, "now");
    requireKey(key);
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", issuer);
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    String signingInput = HEADER + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + B64.encodeToString(hmac(key, signingInput));
  }

  /**
   * Checks a token: well formed, HS256, signed with {@code key}, and not expired at {@code now}.
   * Never throws for a bad token; it returns false.
   *
   * @param token the token, possibly null
   * @param key   the HMAC key
   * @param now   the current time
   * @return true if the token is valid
   */
  public static boolean verify(String token, byte[] key, Instant now) {
    return claims(token, key, now) != null;
  }

  /**
   * Like {@link #verify(String, byte[], Instant)}, and also requires {@code iss} to equal
   * {@code expectedIssuer}.
   *
   * @param token          the token, possibly null
   * @param key            the HMAC key
   * @param expectedIssuer the issuer the token must name
   * @param now            the current time
   * @return true if the token is valid and from that issuer
   */
  public static boolean verify(String token, byte[] key, String expectedIssuer, Instant now) {
    JsonNode claims = claims(token, key, now);
    if (claims == null) {
      return false;
    }
    JsonNode iss = claims.get("iss");
    return iss != null && iss.isTextual() && iss.asText().equals(expectedIssuer);
  }

  private static JsonNode claims(String token, byte[] key, Instant now) {
    requireKey(key);
    Objects.requireNonNull(now, "now");
    if (token == null || token.length() > MAX_TOKEN_LENGTH) {
      return null;
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      return null;
    }
    try {
      JsonNode header = JSON.readTree(B64D.decode(token.substring(0, dot1)));
      if (header == null || !header.isObject() || !"HS256".equals(header.path("alg").asText(null))) {
        return null;
      }
      // Compared as text so that a padded or otherwise re-encoded signature does not pass.
      byte[] expected = B64.encodeToString(hmac(key, token.substring(0, dot2))).getBytes(StandardCharsets.US_ASCII);
      byte[] given = token.substring(dot2 + 1).getBytes(StandardCharsets.US_ASCII);
      if (!MessageDigest.isEqual(expected, given)) {
        return null;
      }
      JsonNode claims = JSON.readTree(B64D.decode(token.substring(dot1 + 1, dot2)));
      if (claims == null || !claims.isObject()) {
        return null;
      }
      JsonNode exp = claims.get("exp");
      if (exp == null || !exp.isNumber() || exp.asDouble() <= now.getEpochSecond()) {
        return null;
      }
      return claims;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static void requireKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length == 0) {
      throw new IllegalArgumentException("Grip-Sig key must not be empty");
    }
  }

  private static byte[] hmac(byte[] key, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
