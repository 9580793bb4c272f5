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
 * The {@code Grip-Sig} token (GRIP.md section 1.3) that P8 puts on every request to a backend
 * when a signing key is set, and that a trusted upstream proxy puts on requests to P8: an HS256
 * JSON Web Token with the claims {@code iss} and {@code exp}. A backend verifies it to know that
 * a request came through its proxy:
 *
 * <pre>{@code
 * if (!GripSig.verify(request.getHeader("Grip-Sig"), key, Instant.now())) {
 *   reject();
 * }
 * }</pre>
 *
 * <p>Only HS256 is made and accepted; Pushpin's ES256 and RS256 keys are not supported. The
 * current time is a parameter so that callers and tests control the clock. Stateless and thread
 * safe.
 */
public final class GripSig {

  /** How long a token is valid after it is made: one hour, as in Pushpin. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final String HEADER = B64.encodeToString(
      "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
  private static final int MAX_TOKEN_LENGTH = 8192;

  private GripSig() {}

  /**
   * Makes a token with header {@code {"alg":"HS256","typ":"JWT"}} and claims
   * {@code {"iss": issuer, "exp": now + 1 hour}}, {@code exp} in whole seconds since the epoch.
   *
   * @param issuer the {@code iss} claim, such as the configured {@code sig_iss}
   * @param key    the HMAC-SHA256 key, not empty; not copied or kept
   * @param now    the current time
   * @return the compact token: three base64url parts without padding, joined by dots
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the key is empty
   */
  public static String sign(String issuer, byte[] key, Instant now) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(now, "now");
    requireKey(key);
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", issuer);
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    String signingInput = HEADER + "."
        + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + B64.encodeToString(hmac(key, signingInput));
  }

  /**
   * Checks a token: three base64url parts, a header naming {@code HS256}, a signature made with
   * {@code key} (compared in constant time), and a numeric {@code exp} claim after {@code now}.
   * Whatever the token holds, this returns false for a bad one rather than throwing.
   *
   * @param token the token, possibly null
   * @param key   the HMAC-SHA256 key, not empty
   * @param now   the current time
   * @return true if the token is valid at {@code now}
   * @throws NullPointerException     if {@code key} or {@code now} is null
   * @throws IllegalArgumentException if the key is empty
   */
  public static boolean verify(String token, byte[] key, Instant now) {
    return claims(token, key, now) != null;
  }

  /**
   * Like {@link #verify(String, byte[], Instant)}, and also requires the {@code iss} claim to be
   * a string equal to {@code expectedIssuer}.
   *
   * @param token          the token, possibly null
   * @param key            the HMAC-SHA256 key, not empty
   * @param expectedIssuer the issuer the token must name
   * @param now            the current time
   * @return true if the token is valid at {@code now} and names that issuer
   * @throws NullPointerException     if {@code key}, {@code expectedIssuer} or {@code now} is
   *                                  null
   * @throws IllegalArgumentException if the key is empty
   */
  public static boolean verify(String token, byte[] key, String expectedIssuer, Instant now) {
    Objects.requireNonNull(expectedIssuer, "expectedIssuer");
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
    if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0 || !isTokenText(token)) {
      return null;
    }
    // The signature is checked before any JSON is read, so unsigned input is never parsed.
    // It is compared as text: a padded or otherwise re-encoded signature does not pass.
    byte[] expected = B64.encodeToString(hmac(key, token.substring(0, dot2)))
        .getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(dot2 + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return null;
    }
    try {
      JsonNode header = JSON.readTree(B64D.decode(token.substring(0, dot1)));
      if (header == null || !header.isObject() || !"HS256".equals(header.path("alg").asText(null))) {
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

  private static boolean isTokenText(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
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
