package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.undertow.TestCertificates.Issued;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate directory is followed while P8 runs, as Pushpin's connection manager does: new
 * TLS connections get the files as they are now, open ones keep what they started with.
 */
class TlsReloadTest {

  private static final Issued A = TestCertificates.issue("A", "a.example");
  private static final Issued B = TestCertificates.issue("B", "a.example");
  private static final Issued DEFAULT = TestCertificates.issue("default", "localhost");
  private static final Issued WILDCARD = TestCertificates.issue("wildcard", "*.example.com");

  @TempDir
  Path certs;

  private P8Server p8;
  private final List<SSLSocket> sockets = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (SSLSocket s : sockets) {
      s.close();
    }
    if (p8 != null) {
      p8.close();
    }
  }

  private void start() {
    p8 = P8Server.builder().route("* test").listen("127.0.0.1", 0).noControlListener()
        .listenTls("127.0.0.1", 0, certs).certificatePollInterval(Duration.ofMillis(20))
        .build().start();
  }

  @Test
  void replacedFilesReachNewConnectionsWhileOpenOnesKeepTheirs() throws Exception {
    A.writeTo(certs, "a.example");
    DEFAULT.writeTo(certs, "default");
    start();
    SSLSocket open = connect("a.example");
    assertThat(commonName(open)).isEqualTo("A");
    assertThat(get(open)).isEqualTo("HTTP/1.1 200 OK");

    // Written in place, one file after the other, as cp would: the poll may see B's
    // certificate with A's key for a moment, which must not be taken.
    B.writeTo(certs, "a.example");
    await("a new connection to see certificate B", () -> commonName(connect("a.example")).equals("B"));

    assertThat(get(open)).as("the connection opened before the change still works").isEqualTo("HTTP/1.1 200 OK");
    assertThat(commonName(open)).isEqualTo("A");
    assertThat(commonName(connect("other.example"))).as("other hosts get the default").isEqualTo("default");
  }

  @Test
  void aBrokenFileIsLoggedAndTheCertificateLoadedBeforeStays() throws Exception {
    A.writeTo(certs, "a.example");
    DEFAULT.writeTo(certs, "default");
    start();
    B.writeTo(certs, "a.example");
    await("a new connection to see certificate B", () -> commonName(connect("a.example")).equals("B"));

    Path crt = certs.resolve("a.example.crt");
    // A half-written file: the start of a PEM block with no end. Writing it truncates the file
    // first, and the watcher may see that empty file ("holds no certificate") before this one.
    String log = logDuring(() -> write(crt, B.certificatePem().substring(0, 200)),
        text -> text.contains(crt + " cannot be read"));

    assertThat(log).contains("TLS certificate a.example not reloaded, keeping the one loaded before: "
        + "certificate file " + crt + " cannot be read");
    assertThat(commonName(connect("a.example"))).isEqualTo("B");

    Path key = certs.resolve("a.example.key");
    String mismatch = logDuring(() -> {
      write(crt, B.certificatePem());
      write(key, A.keyPem());
    }, text -> text.contains("does not hold the private key"));

    assertThat(mismatch).contains("key file " + key + " does not hold the private key of " + crt);
    assertThat(commonName(connect("a.example"))).isEqualTo("B");
  }

  @Test
  void removedFilesFallBackToTheDefaultAndAddedOnesAreChosenBySni() throws Exception {
    A.writeTo(certs, "a.example");
    DEFAULT.writeTo(certs, "default");
    start();
    assertThat(commonName(connect("a.example"))).isEqualTo("A");
    assertThat(commonName(connect("www.example.com"))).isEqualTo("default");

    Files.delete(certs.resolve("a.example.crt"));
    Files.delete(certs.resolve("a.example.key"));
    await("a.example to get the default certificate",
        () -> commonName(connect("a.example")).equals("default"));

    WILDCARD.writeTo(certs, "_.example.com");
    await("www.example.com to get the wildcard certificate",
        () -> commonName(connect("www.example.com")).equals("wildcard"));
    assertThat(commonName(connect("example.com"))).as("a wildcard covers one level").isEqualTo("default");
  }

  @Test
  void theWatcherThreadEndsWithTheServer() {
    DEFAULT.writeTo(certs, "default");
    start();
    assertThat(watcherRunning()).isTrue();

    p8.close();

    await("the certificate watcher thread to end", () -> !watcherRunning());
  }

  private static boolean watcherRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("p8-certificate-watcher") && t.isAlive());
  }

  /** A new TLS connection with SNI {@code host}, trusting every test certificate. */
  private SSLSocket connect(String host) {
    try {
      // A fresh context each time: a resumed session would show the certificate of the first.
      SSLSocket socket = (SSLSocket) trusting().getSocketFactory().createSocket("127.0.0.1", p8.tlsPort());
      sockets.add(socket);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(host)));
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return socket;
    } catch (Exception e) {
      throw new AssertionError("TLS connection for " + host + " failed", e);
    }
  }

  private static String commonName(SSLSocket socket) {
    try {
      X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      return peer.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends a GET on the connection and returns the status line, reading the whole answer. */
  private static String get(SSLSocket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) c);
    }
    String text = head.toString();
    String length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
        .findFirst().orElseThrow(() -> new AssertionError("no Content-Length in " + text));
    in.readNBytes(Integer.parseInt(length.substring(15).trim()));
    return text.lines().findFirst().orElseThrow();
  }

  private static SSLContext trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (Issued i : List.of(A, B, DEFAULT, WILDCARD)) {
      trust.setCertificateEntry(i.certificate().getSubjectX500Principal().getName(), i.certificate());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code action} with standard error (where the test logger writes) copied aside, then
   * waits until the copy satisfies {@code until}, and returns it.
   */
  private static String logDuring(Runnable action, Predicate<String> until) {
    PrintStream original = System.err;
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(new OutputStream() {
      @Override
      public synchronized void write(int b) {
        copy.write(b);
        original.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        copy.write(b, off, len);
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    try {
      action.run();
      await("a log line", () -> until.test(text(copy, tee)));
      return text(copy, tee);
    } finally {
      System.setErr(original);
    }
  }

  private static String text(ByteArrayOutputStream copy, Object lock) {
    synchronized (lock) {
      return copy.toString(StandardCharsets.UTF_8);
    }
  }
}
