package dev.p8.backend;

import dev.p8.grip.GripSig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks the {@code Grip-Sig} header that the proxy puts on every request it forwards when a
 * signing key is set (pushpin.conf {@code sig_key}), so a backend can refuse GRIP requests that
 * did not come through its proxy: a valid HS256 token made with the shared key, not expired,
 * and, when an issuer is set, naming it.
 *
 * <pre>{@code
 * GripSigVerifier verifier = GripSigVerifier.of("changeme");
 * if (!verifier.verify(exchange.getRequestHeaders().getFirst("Grip-Sig"))) {
 *   exchange.setStatusCode(403);
 * }
 * }</pre>
 *
 * <p>Instances are immutable and thread safe. See {@link GripSig} for the token itself.
 */
public final class GripSigVerifier {

  private final byte[] key;
  private final String issuer;
  private final Clock clock;

  private GripSigVerifier(byte[] key, String issuer, Clock clock) {
    this.key = key;
    this.issuer = issuer;
    this.clock = clock;
  }

  /**
   * A verifier for tokens made with {@code key}, from any issuer, checked against the system
   * clock.
   *
   * @param key the shared key as text, encoded in UTF-8; not empty
   * @return the verifier
   * @throws IllegalArgumentException if the key is empty
   */
  public static GripSigVerifier of(String key) {
    Objects.requireNonNull(key, "key");
    return of(key.getBytes(StandardCharsets.UTF_8), null, Clock.systemUTC());
  }

  /**
   * A verifier with every part given.
   *
   * @param key    the shared key; not empty; copied
   * @param issuer the {@code iss} claim tokens must carry, such as pushpin.conf's
   *               {@code sig_iss}; null to accept any issuer
   * @param clock  the clock that decides expiry
   * @return the verifier
   * @throws IllegalArgumentException if the key is empty
   */
  public static GripSigVerifier of(byte[] key, String issuer, Clock clock) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clock, "clock");
    if (key.length == 0) {
      throw new IllegalArgumentException("Grip-Sig key must not be empty");
    }
    return new GripSigVerifier(key.clone(), issuer, clock);
  }

  /**
   * Checks a {@code Grip-Sig} header value. Never throws for a bad token.
   *
   * @param token the header value, or null when the request had none
   * @return true if the token is valid now
   */
  public boolean verify(String token) {
    return issuer == null
        ? GripSig.verify(token, key, clock.instant())
        : GripSig.verify(token, key, issuer, clock.instant());
  }

  /**
   * Finds the {@code Grip-Sig} header (any case) among request headers and checks it. A
   * request with several {@code Grip-Sig} values is refused, since a client could have added
   * one of them.
   *
   * @param headers the request headers, as {@code java.net.http} or a servlet adapter gives them
   * @return true if there is exactly one {@code Grip-Sig} value and it is valid now
   */
  public boolean verify(Map<String, List<String>> headers) {
    String token = null;
    int count = 0;
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase("Grip-Sig") && e.getValue() != null) {
        for (String v : e.getValue()) {
          token = v;
          count++;
        }
      }
    }
    return count == 1 && verify(token);
  }
}
