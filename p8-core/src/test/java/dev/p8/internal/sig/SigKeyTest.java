package dev.p8.internal.sig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.grip.GripSig;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SigKeyTest {

  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

  private static Path keys() throws URISyntaxException {
    return Path.of(SigKeyTest.class.getResource("ec-sec1.pem").toURI()).getParent();
  }

  @ParameterizedTest(name = "{0} signs, {1} verifies")
  @CsvSource({
      "ec-sec1.pem,   ec-public.pem,        ES256",
      "ec-pkcs8.pem,  ec-public.pem,        ES256",
      "rsa-pkcs1.pem, rsa-public.pem,       RS256",
      "rsa-pkcs8.pem, rsa-pkcs1-public.pem, RS256",
  })
  void pemKeysSignAndVerify(String privateFile, String publicFile, String algorithm)
      throws Exception {
    SigKey signer = SigKey.fromConfig("file:" + privateFile, keys());
    SigKey verifier = SigKey.fromConfig("file:" + keys().resolve(publicFile), Path.of("/"));

    String token = signer.sign("pushpin", NOW);

    assertThat(signer.algorithm()).hasToString(algorithm);
    assertThat(header(token)).contains("\"alg\":\"" + algorithm + "\"");
    assertThat(verifier.verify(token, NOW)).isTrue();
    assertThat(verifier.verify(token, NOW.plusSeconds(3600))).as("expired").isFalse();
    assertThat(verifier.canSign()).isFalse();
    assertThatThrownBy(() -> verifier.sign("x", NOW)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("public key cannot sign");
  }

  @Test
  void aSecretTokenIsTheSameAsGripSigMakes() {
    SigKey key = SigKey.fromConfig("changeme", Path.of("/"));

    assertThat(key.sign("pushpin", NOW)).isEqualTo(GripSig.sign("pushpin",
        "changeme".getBytes(StandardCharsets.UTF_8), NOW));
    assertThat(key.verify(key.sign("pushpin", NOW), NOW)).isTrue();
  }

  @Test
  void base64AndHexFileFormsGiveTheSameSecret() throws Exception {
    SigKey literal = SigKey.fromConfig("key", Path.of("/"));
    SigKey b64 = SigKey.fromConfig("base64:" + Base64.getEncoder().encodeToString(
        "key".getBytes(StandardCharsets.UTF_8)), Path.of("/"));
    SigKey hex = SigKey.fromConfig("file:hex-secret.txt", keys());

    String token = literal.sign("i", NOW);
    assertThat(b64.sign("i", NOW)).isEqualTo(token);
    assertThat(hex.sign("i", NOW)).isEqualTo(token);
  }

  @Test
  void aTokenOfOneAlgorithmDoesNotPassAnother() throws Exception {
    SigKey ec = SigKey.fromConfig("file:ec-public.pem", keys());
    SigKey rsa = SigKey.fromConfig("file:rsa-public.pem", keys());
    String esToken = SigKey.fromConfig("file:ec-pkcs8.pem", keys()).sign("i", NOW);

    assertThat(rsa.verify(esToken, NOW)).isFalse();
    assertThat(SigKey.fromConfig("changeme", Path.of("/")).verify(esToken, NOW)).isFalse();
    assertThat(ec.verify(esToken, NOW)).isTrue();
  }

  @Test
  void badKeysAreRefusedWithTheirSourceAndReason(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> SigKey.fromConfig("", dir)).hasMessage("signing key must not be empty");
    assertThatThrownBy(() -> SigKey.fromConfig("base64:%%%", dir))
        .hasMessage("signing key: the text after 'base64:' is not valid base64");
    assertThatThrownBy(() -> SigKey.fromConfig("file:missing", dir))
        .hasMessageStartingWith("signing key file " + dir.resolve("missing") + " cannot be read");
    Files.writeString(dir.resolve("nothex"), "zz-not-hex");
    assertThatThrownBy(() -> SigKey.fromConfig("file:nothex", dir))
        .hasMessageEndingWith("holds neither a PEM key nor a secret in hex");
    Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> SigKey.fromConfig("file:cert.pem", dir))
        .hasMessageEndingWith("no PEM block holding a key");
    Files.writeString(dir.resolve("open.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
    assertThatThrownBy(() -> SigKey.fromConfig("file:open.pem", dir))
        .hasMessageEndingWith("PEM block 'PRIVATE KEY' has no END line");
    Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> SigKey.fromConfig("file:junk.pem", dir))
        .hasMessageContaining("PEM block 'PRIVATE KEY' is not a usable key");
    assertThatThrownBy(() -> SigKey.fromConfig("file:ec-p384.pem", keys()))
        .hasMessageEndingWith("EC key is not on curve P-256, which ES256 requires");
    Files.writeString(dir.resolve("dsa.pem"), "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> SigKey.fromConfig("file:dsa.pem", dir))
        .hasMessageContaining("PEM type 'DSA PRIVATE KEY' is not supported");
  }

  @Test
  void garbageTokensAreFalseNotExceptions() throws Exception {
    SigKey[] keys = {SigKey.fromConfig("k", Path.of("/")),
        SigKey.fromConfig("file:ec-public.pem", keys()),
        SigKey.fromConfig("file:rsa-public.pem", keys())};
    String valid = SigKey.fromConfig("file:ec-pkcs8.pem", keys()).sign("i", NOW);
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      char[] token = valid.toCharArray();
      for (int m = 0; m <= random.nextInt(4); m++) {
        token[random.nextInt(token.length)] = (char) random.nextInt(128);
      }
      String mutated = random.nextInt(10) == 0 ? valid.substring(0, random.nextInt(valid.length()))
          : new String(token);
      for (SigKey key : keys) {
        boolean ok = key.verify(mutated, NOW);
        assertThat(ok).as(mutated).isEqualTo(mutated.equals(valid) && key == keys[1]);
      }
    }
    assertThat(keys[0].verify(null, NOW)).isFalse();
  }

  @Test
  void toStringNeverShowsTheKey() {
    assertThat(SigKey.fromConfig("supersecret", Path.of("/")).toString())
        .doesNotContain("supersecret").isEqualTo("SigKey[HS256, signing]");
  }

  private static String header(String token) {
    return new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
        StandardCharsets.UTF_8);
  }
}
