package dev.p8.internal.sig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Grip-Sig key: an HMAC secret (HS256), or an EC P-256 (ES256) or RSA (RS256) key read from
 * PEM, as Pushpin 1.36 and later accept for {@code sig_key}, {@code upstream_key} and the route
 * options {@code sig_key=}.
 *
 * <p>Configuration forms ({@link #fromConfig}): the literal secret; {@code base64:} followed by
 * the secret in base64; {@code file:PATH}, where the file holds a PEM key (it starts with
 * {@code -----BEGIN}) or else a secret in hex. A private PEM key signs; a public one only
 * verifies. PEM types read: {@code PRIVATE KEY} (PKCS#8), {@code EC PRIVATE KEY} (SEC 1),
 * {@code RSA PRIVATE KEY} (PKCS#1), {@code PUBLIC KEY} (X.509) and {@code RSA PUBLIC KEY}.
 *
 * <p>Tokens carry {@code {"iss": issuer, "exp": now + 1 hour}}. Verification checks that the
 * header's {@code alg} is this key's algorithm, the signature, and that {@code exp} is a number
 * in the future. Immutable and thread safe.
 */
public final class SigKey {

  /** The token algorithms, one per key type. */
  public enum Algorithm {
    /** HMAC with SHA-256. */
    HS256,
    /** ECDSA on P-256 with SHA-256. */
    ES256,
    /** RSASSA-PKCS1-v1_5 with SHA-256. */
    RS256
  }

  /** How long a token is valid: one hour, as Pushpin. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final int MAX_TOKEN_LENGTH = 8192;
  private static final byte[] OID_RSA = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
      0x01, 0x01, 0x01};
  private static final byte[] OID_EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
  private static final byte[] OID_P256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01,
      0x07};

  private final Algorithm algorithm;
  private final byte[] secret;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String headerPart;

  private SigKey(Algorithm algorithm, byte[] secret, PrivateKey privateKey, PublicKey publicKey) {
    this.algorithm = algorithm;
    this.secret = secret;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.headerPart = B64.encodeToString(("{\"alg\":\"" + algorithm + "\",\"typ\":\"JWT\"}")
        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An HS256 key.
   *
   * @param secret the secret, not empty; copied
   * @return the key
   * @throws IllegalArgumentException if the secret is empty
   */
  public static SigKey secret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("signing key must not be empty");
    }
    return new SigKey(Algorithm.HS256, secret.clone(), null, null);
  }

  /**
   * Reads a key in pushpin.conf form (see the class comment).
   *
   * @param value   the configured text, not empty
   * @param baseDir the directory a relative {@code file:} path resolves against
   * @return the key
   * @throws IllegalArgumentException naming the form and what is wrong with it, never echoing
   *     the key itself
   */
  public static SigKey fromConfig(String value, Path baseDir) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("signing key must not be empty");
    }
    if (value.startsWith("file:")) {
      Path file = baseDir.resolve(value.substring(5));
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new IllegalArgumentException("signing key file " + file + " cannot be read: " + e, e);
      }
      String text = new String(bytes, StandardCharsets.US_ASCII);
      if (text.startsWith("-----BEGIN")) {
        return fromPem(text, "signing key file " + file);
      }
      try {
        return secret(HexFormat.of().parseHex(text.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("signing key file " + file
            + " holds neither a PEM key nor a secret in hex", e);
      }
    }
    if (value.startsWith("base64:")) {
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(value.substring(7).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "signing key: the text after 'base64:' is not valid base64", e);
      }
      return secret(decoded);
    }
    return secret(value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a PEM key. The first block whose type ends in {@code KEY} is used, so OpenSSL's
   * {@code EC PARAMETERS} block before an EC key is skipped.
   *
   * @param pem    the PEM text
   * @param source names the key in errors, such as its file
   * @return an ES256 or RS256 key
   * @throws IllegalArgumentException naming the source and the problem
   */
  public static SigKey fromPem(String pem, String source) {
    Objects.requireNonNull(pem, "pem");
    int at = 0;
    while (true) {
      int begin = pem.indexOf("-----BEGIN ", at);
      if (begin < 0) {
        throw new IllegalArgumentException(source + ": no PEM block holding a key");
      }
      int typeEnd = pem.indexOf("-----", begin + 11);
      if (typeEnd < 0) {
        throw new IllegalArgumentException(source + ": PEM header at offset " + begin
            + " is not closed with -----");
      }
      String type = pem.substring(begin + 11, typeEnd);
      String endMarker = "-----END " + type + "-----";
      int end = pem.indexOf(endMarker, typeEnd);
      if (end < 0) {
        throw new IllegalArgumentException(source + ": PEM block '" + type + "' has no END line");
      }
      at = end + endMarker.length();
      if (!type.endsWith("KEY")) {
        continue;
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pem.substring(typeEnd + 5, end).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": PEM block '" + type
            + "' is not valid base64", e);
      }
      try {
        return fromDer(type, der, source);
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(source)) {
          throw e;
        }
        throw new IllegalArgumentException(source + ": PEM block '" + type
            + "' is not a usable key (" + e.getClass().getSimpleName() + ")", e);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(source + ": PEM block '" + type
            + "' is not a usable key (" + e.getClass().getSimpleName() + ")", e);
      }
    }
  }

  /**
   * Reads the private key of a PEM file, for uses beside Grip-Sig such as a TLS listener.
   *
   * @param pem    the PEM text; the first block whose type ends in {@code KEY} is used
   * @param source names the key in errors
   * @return the key (RSA, or EC on P-256)
   * @throws IllegalArgumentException naming the source and the problem, including when the key
   *     is a public one
   */
  public static PrivateKey privateKeyFromPem(String pem, String source) {
    SigKey key = fromPem(pem, source);
    if (key.privateKey == null) {
      throw new IllegalArgumentException(source + ": holds a public key; a private key is needed");
    }
    return key.privateKey;
  }

  private static SigKey fromDer(String type, byte[] der, String source)
      throws GeneralSecurityException {
    switch (type) {
      case "PRIVATE KEY" -> {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        return ofPrivate(contains(der, OID_EC) ? KeyFactory.getInstance("EC").generatePrivate(spec)
            : KeyFactory.getInstance("RSA").generatePrivate(spec), source);
      }
      case "EC PRIVATE KEY" -> {
        // SEC 1: SEQUENCE { INTEGER 1, OCTET STRING d, ... }; P-256 scalars are 32 bytes.
        int lengthBytes = der.length > 1 && (der[1] & 0x80) != 0 ? (der[1] & 0x7f) : 0;
        int d = 2 + lengthBytes + 3;
        if (der.length < d + 2 || der[d] != 0x04 || der[d + 1] != 32) {
          throw new IllegalArgumentException(source + ": EC key is not on curve P-256, which"
              + " ES256 requires");
        }
        byte[] pkcs8 = seq(integer0(), seq(oid(OID_EC), oid(OID_P256)), tlv(0x04, der));
        return ofPrivate(KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(pkcs8)), source);
      }
      case "RSA PRIVATE KEY" -> {
        byte[] pkcs8 = seq(integer0(), seq(oid(OID_RSA), new byte[] {0x05, 0x00}),
            tlv(0x04, der));
        return ofPrivate(KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(pkcs8)), source);
      }
      case "PUBLIC KEY" -> {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        return ofPublic(contains(der, OID_EC) ? KeyFactory.getInstance("EC").generatePublic(spec)
            : KeyFactory.getInstance("RSA").generatePublic(spec), source);
      }
      case "RSA PUBLIC KEY" -> {
        byte[] bits = new byte[der.length + 1];
        System.arraycopy(der, 0, bits, 1, der.length);
        byte[] spki = seq(seq(oid(OID_RSA), new byte[] {0x05, 0x00}), tlv(0x03, bits));
        return ofPublic(KeyFactory.getInstance("RSA")
            .generatePublic(new X509EncodedKeySpec(spki)), source);
      }
      default -> throw new IllegalArgumentException(source + ": PEM type '" + type
          + "' is not supported; use PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY"
          + " or RSA PUBLIC KEY");
    }
  }

  private static SigKey ofPrivate(PrivateKey key, String source) {
    return new SigKey(algorithmOf(key, source), null, key, null);
  }

  private static SigKey ofPublic(PublicKey key, String source) {
    return new SigKey(algorithmOf(key, source), null, null, key);
  }

  private static Algorithm algorithmOf(Key key, String source) {
    if (key instanceof ECKey ec) {
      if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException(source + ": EC key is not on curve P-256, which ES256"
            + " requires");
      }
      return Algorithm.ES256;
    }
    return Algorithm.RS256;
  }

  /**
   * Returns the algorithm tokens made or checked with this key use.
   *
   * @return the algorithm
   */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns whether this key can sign: a secret or a private key.
   *
   * @return true if {@link #sign} works
   */
  public boolean canSign() {
    return secret != null || privateKey != null;
  }

  /**
   * Makes a token.
   *
   * @param issuer the {@code iss} claim
   * @param now    the current time; {@code exp} is an hour later, in whole seconds
   * @return the compact token
   * @throws IllegalStateException if this is a public key
   */
  public String sign(String issuer, Instant now) {
    Objects.requireNonNull(issuer, "issuer");
    if (!canSign()) {
      throw new IllegalStateException("a " + algorithm + " public key cannot sign; configure the"
          + " private key");
    }
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", issuer);
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    String input = headerPart + "."
        + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      byte[] signature;
      if (secret != null) {
        signature = hmac(input);
      } else {
        Signature s = Signature.getInstance(jcaName());
        s.initSign(privateKey);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        signature = s.sign();
      }
      return input + "." + B64.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " signing failed", e);
    }
  }

  /**
   * Checks a token; never throws for a bad one.
   *
   * @param token the token, possibly null
   * @param now   the current time
   * @return true when the token names this key's algorithm, is signed by this key and has not
   *     expired
   */
  public boolean verify(String token, Instant now) {
    Objects.requireNonNull(now, "now");
    if (token == null || token.length() > MAX_TOKEN_LENGTH) {
      return false;
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      return false;
    }
    try {
      String input = token.substring(0, dot2);
      String signaturePart = token.substring(dot2 + 1);
      byte[] given = B64D.decode(signaturePart);
      if (!B64.encodeToString(given).equals(signaturePart)) {
        // Unused low bits of the last character would let one signature have many spellings.
        return false;
      }
      boolean signed;
      if (secret != null) {
        signed = MessageDigest.isEqual(hmac(input), given);
      } else {
        Signature s = Signature.getInstance(jcaName());
        if (publicKey != null) {
          s.initVerify(publicKey);
        } else {
          return false;
        }
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        signed = s.verify(given);
      }
      if (!signed) {
        return false;
      }
      JsonNode header = JSON.readTree(B64D.decode(token.substring(0, dot1)));
      if (header == null || !algorithm.name().equals(header.path("alg").asText(null))) {
        return false;
      }
      JsonNode claims = JSON.readTree(B64D.decode(token.substring(dot1 + 1, dot2)));
      JsonNode exp = claims == null ? null : claims.get("exp");
      return exp != null && exp.isNumber() && exp.asDouble() > now.getEpochSecond();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private String jcaName() {
    return algorithm == Algorithm.ES256 ? "SHA256withECDSAinP1363Format" : "SHA256withRSA";
  }

  private byte[] hmac(String input) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    // Never the key material: this ends up in logs and exception messages.
    return "SigKey[" + algorithm + (canSign() ? ", signing" : ", verify only") + "]";
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] integer0() {
    return new byte[] {0x02, 0x01, 0x00};
  }

  private static byte[] oid(byte[] body) {
    return tlv(0x06, body);
  }

  private static byte[] seq(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return tlv(0x30, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 6);
    out.write(tag);
    int n = body.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
      int skip = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - skip));
      out.write(len, skip, len.length - skip);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }
}
