package dev.p8.undertow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Targets with the {@code ssl} and {@code insecure} options: TLS toward the backend. */
class TlsBackendTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  private P8Server p8;

  static SSLContext serverContext() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TlsBackendTest.class.getResourceAsStream("localhost.p12")) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  @BeforeEach
  void setUp() throws Exception {
    backend.useHttps(serverContext().getSocketFactory(), false);
    backend.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
  }

  private Response get(String route) throws IOException {
    p8 = P8Server.builder().route(route).listen("127.0.0.1", 0).noControlListener().build().start();
    return client.newCall(new Request.Builder().url(p8.url() + "/tls").build()).execute();
  }

  @Test
  void anInsecureTlsTargetAcceptsASelfSignedCertificate() throws Exception {
    backend.enqueue(new MockResponse().setBody("over tls"));

    try (Response r = get("* 127.0.0.1:" + backend.getPort() + ",ssl,insecure")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("over tls");
    }
    assertThat(backend.takeRequest(5, TimeUnit.SECONDS).getRequestUrl().isHttps()).isTrue();
  }

  @Test
  void aVerifiedTlsTargetRefusesAnUntrustedCertificate() throws Exception {
    try (Response r = get("*,debug 127.0.0.1:" + backend.getPort() + ",ssl")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).startsWith("Error communicating with 127.0.0.1:" + backend.getPort());
    }
    assertThat(backend.getRequestCount()).isZero();
  }
}
