package dev.p8.undertow;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Self-signed EC P-256 certificates made in the test, so each test can have as many distinct
 * certificates as it needs. The JDK has no public certificate builder, so the few DER structures
 * of RFC 5280 are written here; the JDK's own parser reads the result back as a check.
 */
final class TestCertificates {

  private static final byte[] ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
  private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};

  /** A certificate and the PEM text of its pair. */
  record Issued(X509Certificate certificate, String certificatePem, String keyPem) {

    /** Writes {@code NAME.crt} and {@code NAME.key} into {@code dir}. */
    void writeTo(Path dir, String name) {
      try {
        Files.writeString(dir.resolve(name + ".crt"), certificatePem, StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve(name + ".key"), keyPem, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private TestCertificates() {}

  /**
   * Issues a certificate for {@code CN=commonName} valid for the given DNS names.
   *
   * @param commonName the subject's and issuer's common name, to tell certificates apart
   * @param dnsNames   the subject alternative names clients check the host against
   */
  static Issued issue(String commonName, String... dnsNames) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();

      byte[] name = seq(set(seq(oid(COMMON_NAME), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      byte[] validity = seq(utcTime(now.minusDays(1)), utcTime(now.plusDays(1)));
      ByteArrayOutputStream names = new ByteArrayOutputStream();
      for (String dns : dnsNames) {
        names.writeBytes(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII)));
      }
      byte[] extensions = tlv(0xa3, seq(seq(oid(SUBJECT_ALT_NAME), tlv(0x04, tlv(0x30, names.toByteArray())))));
      byte[] algorithm = seq(oid(ECDSA_WITH_SHA256));
      byte[] tbs = seq(
          tlv(0xa0, tlv(0x02, new byte[] {2})),
          tlv(0x02, new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray()),
          algorithm, name, validity, name, pair.getPublic().getEncoded(), extensions);

      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(pair.getPrivate());
      signer.update(tbs);
      byte[] signature = signer.sign();
      byte[] bits = new byte[signature.length + 1];
      System.arraycopy(signature, 0, bits, 1, signature.length);
      byte[] der = seq(tbs, algorithm, tlv(0x03, bits));

      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return new Issued(certificate, pem("CERTIFICATE", der), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] utcTime(ZonedDateTime t) {
    return tlv(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] oid(byte[] encoded) {
    return tlv(0x06, encoded);
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
