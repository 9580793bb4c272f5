package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Item;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the client listener with Pushpin's certificate directory, and HTTP/2 through ALPN. */
class TlsListenerTest {

  @TempDir
  Path certs;

  private P8Server p8;

  @AfterEach
  void tearDown() {
    if (p8 != null) {
      p8.close();
    }
  }

  private void certificate(String name) throws Exception {
    try (InputStream crt = getClass().getResourceAsStream("localhost.crt");
         InputStream key = getClass().getResourceAsStream("localhost.key")) {
      Files.copy(crt, certs.resolve(name + ".crt"));
      Files.copy(key, certs.resolve(name + ".key"));
    }
  }

  private static SSLContext trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = TlsListenerTest.class.getResourceAsStream("localhost.crt")) {
      Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
      trust.setCertificateEntry("localhost", cert);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  @Test
  void holdsSeveralStreamsOnOneHttp2ConnectionOverTls() throws Exception {
    certificate("default");
    p8 = P8Server.builder().route("*,ssl=yes test").listen("127.0.0.1", 0)
        .listenTls("127.0.0.1", 0, certs).http2(true).noControlListener().build().start();
    HttpClient client = HttpClient.newBuilder().sslContext(trusting()).version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5)).build();

    List<HttpResponse<InputStream>> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpRequest request = HttpRequest.newBuilder(
          URI.create("https://localhost:" + p8.tlsPort() + "/stream?channel=h2")).build();
      streams.add(client.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    }
    await("three streams subscribed", () -> p8.subscriptions() == 3);
    p8.publisher().publish(Item.stream("h2", "hello over h2\n"));

    for (HttpResponse<InputStream> r : streams) {
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      assertThat(reader.readLine()).isEqualTo("[stream opened]");
      assertThat(reader.readLine()).isEqualTo("hello over h2");
      r.body().close();
    }
    // Not asserted here: an HTTP/2 client closing one stream resets only that stream, and the
    // idle-socket watch that notices HTTP/1.1 clients leaving cannot see it (HeldExchange only
    // notices at a later failed write). stop() in tearDown releases them.
  }

  @Test
  void plainListenerDoesNotMatchSslRoutes() throws Exception {
    certificate("default");
    p8 = P8Server.builder().route("*,ssl=yes test").listen("127.0.0.1", 0)
        .listenTls("127.0.0.1", 0, certs).noControlListener().build().start();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(p8.url() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).isEqualTo("Route not found\n");
  }

  @Test
  void picksTheCertificateBySniName() throws Exception {
    certificate("localhost");
    p8 = P8Server.builder().route("* test").listen("127.0.0.1", 0)
        .listenTls("127.0.0.1", 0, certs).noControlListener().build().start();
    HttpClient client = HttpClient.newBuilder().sslContext(trusting()).build();

    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
        URI.create("https://localhost:" + p8.tlsPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).as("HTTP/2 is off by default").isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void aDirectoryWithoutPairsIsRefusedAtBuild() throws Exception {
    Files.writeString(certs.resolve("lonely.crt"), "x");

    assertThatThrownBy(() -> P8Server.builder().listenTls("127.0.0.1", 0, certs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lonely.crt has no key file");
  }
}
