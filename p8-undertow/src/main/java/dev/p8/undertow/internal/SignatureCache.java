package dev.p8.undertow.internal;

import dev.p8.grip.GripSig;
import java.time.Instant;

/**
 * Reuses a Grip-Sig token for up to a minute instead of signing every request: the token is
 * valid for an hour, so a backend sees at least 59 minutes of validity, and the HMAC leaves
 * the hot path.
 */
final class SignatureCache {

  private static final long REFRESH_MILLIS = 60_000;

  private final String issuer;
  private final byte[] key;
  private volatile Token current;

  private record Token(String value, long madeAtMillis) { }

  SignatureCache(String issuer, byte[] key) {
    this.issuer = issuer;
    this.key = key;
  }

  /** The token to send, or null when no key is set. */
  String token() {
    return key == null ? null : token(issuer, key);
  }

  private String token(String iss, byte[] k) {
    long now = System.currentTimeMillis();
    Token t = current;
    if (t == null || now - t.madeAtMillis() > REFRESH_MILLIS) {
      t = new Token(GripSig.sign(iss, k, Instant.ofEpochMilli(now)), now);
      current = t;
    }
    return t.value();
  }

  /** A token for a route's own issuer and key; signed per request since routes may differ. */
  static String sign(String issuer, byte[] key) {
    return GripSig.sign(issuer, key, Instant.now());
  }
}
