package dev.p8.undertow.internal;

import dev.p8.internal.sig.SigKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Server certificates laid out as Pushpin's {@code runner/certs} directory: a PEM pair
 * {@code NAME.crt} (certificate chain) and {@code NAME.key} (private key) per name. The
 * certificate for a TLS handshake is chosen by the client's SNI host: {@code host.crt}, then the
 * wildcard {@code _.rest-of-host.crt}, then {@code default_PORT.crt}, then {@code default.crt}.
 * The files are read once, when the server is built.
 */
public final class CertificateDirectory {

  private CertificateDirectory() {}

  /**
   * Builds the TLS context for one listener port.
   *
   * @param dir  the certificate directory
   * @param port the listener's configured port, for {@code default_PORT}
   * @return the context
   * @throws IllegalArgumentException naming the directory or file that cannot be used
   */
  public static SSLContext context(Path dir, int port) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      int count = 0;
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.crt")) {
        for (Path crt : files) {
          String name = crt.getFileName().toString();
          name = name.substring(0, name.length() - 4).toLowerCase(Locale.ROOT);
          Path keyFile = crt.resolveSibling(crt.getFileName().toString().replaceAll("\\.crt$", ".key"));
          if (!Files.isRegularFile(keyFile)) {
            throw new IllegalArgumentException("certificate " + crt + " has no key file " + keyFile);
          }
          Certificate[] chain;
          try (InputStream in = Files.newInputStream(crt)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in)
                .toArray(new Certificate[0]);
          }
          if (chain.length == 0) {
            throw new IllegalArgumentException("certificate file " + crt + " holds no certificate");
          }
          PrivateKey key = SigKey.privateKeyFromPem(
              Files.readString(keyFile, StandardCharsets.US_ASCII), "key file " + keyFile);
          store.setKeyEntry(name, key, password, chain);
          count++;
        }
      }
      if (count == 0) {
        throw new IllegalArgumentException("TLS certificate directory " + dir
            + " has no NAME.crt/NAME.key pair");
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(store, password);
      X509ExtendedKeyManager keys = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new BySni(keys, store, port)}, null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS certificate directory " + dir + " cannot be used: " + e, e);
    }
  }

  /** Picks the alias by SNI host name with Pushpin's file-name rules. */
  private static final class BySni extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;
    private final KeyStore store;
    private final int port;

    BySni(X509ExtendedKeyManager keys, KeyStore store, int port) {
      this.keys = keys;
      this.store = store;
      this.port = port;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      SSLSession session = engine == null ? null : engine.getHandshakeSession();
      String host = null;
      if (session instanceof ExtendedSSLSession extended) {
        for (SNIServerName n : extended.getRequestedServerNames()) {
          if (n instanceof SNIHostName h) {
            host = h.getAsciiName().toLowerCase(Locale.ROOT);
          }
        }
      }
      return choose(host);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return choose(null);
    }

    private String choose(String host) {
      if (host != null && !host.contains("/")) {
        if (has(host)) {
          return host;
        }
        int dot = host.indexOf('.');
        if (dot >= 0 && has("_" + host.substring(dot))) {
          return "_" + host.substring(dot);
        }
      }
      if (has("default_" + port)) {
        return "default_" + port;
      }
      return has("default") ? "default" : null;
    }

    private boolean has(String alias) {
      try {
        return store.isKeyEntry(alias);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

}
