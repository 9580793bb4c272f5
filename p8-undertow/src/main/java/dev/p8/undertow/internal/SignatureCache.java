package dev.p8.undertow.internal;

import dev.p8.internal.sig.SigKey;
import java.time.Instant;

/**
 * Reuses a Grip-Sig token for up to a minute instead of signing every request: the token is
 * valid for an hour, so a backend sees at least 59 minutes of validity, and the signing (an
 * HMAC, or for ES256/RS256 a far dearer public-key operation) leaves the hot path.
 */
final class SignatureCache {

  private static final long REFRESH_MILLIS = 60_000;

  private final String issuer;
  private final SigKey key;
  private volatile Token current;

  private record Token(String value, long madeAtMillis) { }

  SignatureCache(String issuer, SigKey key) {
    this.issuer = issuer;
    this.key = key == null || !key.canSign() ? null : key;
  }

  /** The token to send, or null when no key is set. */
  String token() {
    if (key == null) {
      return null;
    }
    long now = System.currentTimeMillis();
    Token t = current;
    if (t == null || now - t.madeAtMillis() > REFRESH_MILLIS) {
      t = new Token(key.sign(issuer, Instant.ofEpochMilli(now)), now);
      current = t;
    }
    return t.value();
  }

  /** A token for a route's own issuer and key; signed per request since routes may differ. */
  static String sign(String issuer, SigKey key) {
    return key.sign(issuer, Instant.now());
  }
}
