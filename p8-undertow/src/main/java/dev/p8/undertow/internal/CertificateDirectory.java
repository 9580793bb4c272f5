package dev.p8.undertow.internal;

import dev.p8.internal.sig.SigKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server certificates laid out as Pushpin's {@code runner/certs} directory: a PEM pair
 * {@code NAME.crt} (certificate chain) and {@code NAME.key} (private key) per name. The
 * certificate for a TLS handshake is chosen by the client's SNI host: {@code host.crt}, then the
 * wildcard {@code _.rest-of-host.crt}, then {@code default_PORT.crt}, then {@code default.crt}.
 *
 * <p><b>Reloading.</b> Pushpin's connection manager looks at a name's files again at each
 * handshake and reloads them when their modification time moved. Here {@link #poll()}, called
 * on one watcher thread (see {@link #watch}), compares each pair's modification time, size and
 * file key with the last look and reloads only the names that changed; a new handshake then uses
 * the new pair, connections already open keep theirs. The contexts from {@link #context(int)}
 * read the current pairs through their key manager, so Undertow's listener is never rebuilt.
 * A pair that cannot be used (half written, no key, a key that does not belong to the
 * certificate) is logged once per change, naming the file and the reason, and the pair loaded
 * before stays in force. A name whose {@code .crt} file is gone is dropped, so its hosts get
 * the default certificate; Pushpin keeps serving a removed pair it had loaded until it
 * restarts.
 *
 * <p><b>Thread safety.</b> The loaded pairs are an immutable snapshot in a volatile field,
 * replaced whole by the watcher thread; handshakes read it without locking.
 */
public final class CertificateDirectory {

  /** How often {@link #watch} looks at the files: about the second Pushpin takes for routes. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(CertificateDirectory.class);

  private final Path dir;
  /** The files of each name as last looked at, whether or not they could be used. */
  private final Map<String, PairFiles> seen = new HashMap<>();
  private long loads;
  private String listingProblem;
  private volatile Snapshot current;
  /**
   * The snapshot before {@link #current}: a handshake picks an alias and then asks for its
   * chain and key in separate calls, and a reload may land between them.
   */
  private volatile Snapshot previous;

  /** One usable pair; {@code alias} is unique per load so a chain never meets another's key. */
  private record Identity(String name, String alias, X509Certificate[] chain, PrivateKey key) { }

  private record Snapshot(Map<String, Identity> byName, Map<String, Identity> byAlias) {
    static Snapshot of(Collection<Identity> identities) {
      Map<String, Identity> byName = new HashMap<>();
      Map<String, Identity> byAlias = new HashMap<>();
      for (Identity i : identities) {
        byName.put(i.name(), i);
        byAlias.put(i.alias(), i);
      }
      return new Snapshot(Map.copyOf(byName), Map.copyOf(byAlias));
    }
  }

  /** What a file looked like; any difference means it was written or replaced. */
  private record Stamp(FileTime modified, long size, Object fileKey) { }

  /** The stamps of a name's two files, null for a missing file. */
  private record PairFiles(Stamp crt, Stamp key) { }

  private CertificateDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Reads every pair in the directory. Unlike a later {@link #poll()}, any bad pair fails here,
   * so a mistake is found when the server is built rather than at the first handshake.
   *
   * @param dir the certificate directory
   * @return the loaded directory
   * @throws IllegalArgumentException naming the directory or file that cannot be used
   */
  public static CertificateDirectory open(Path dir) {
    CertificateDirectory certs = new CertificateDirectory(Objects.requireNonNull(dir, "dir"));
    Map<String, PairFiles> files;
    try {
      files = certs.list();
    } catch (IOException e) {
      throw new IllegalArgumentException("TLS certificate directory " + dir + " cannot be used: " + e, e);
    }
    List<Identity> loaded = new ArrayList<>();
    for (Map.Entry<String, PairFiles> f : files.entrySet()) {
      if (f.getValue().crt() != null) {
        loaded.add(certs.load(f.getKey()));
      }
    }
    if (loaded.isEmpty()) {
      throw new IllegalArgumentException("TLS certificate directory " + dir
          + " has no NAME.crt/NAME.key pair");
    }
    certs.seen.putAll(files);
    certs.current = Snapshot.of(loaded);
    certs.previous = certs.current;
    return certs;
  }

  /** The directory the pairs come from. */
  public Path directory() {
    return dir;
  }

  /**
   * A TLS context for one listener port whose certificates follow this directory's reloads.
   *
   * @param port the listener's configured port, for {@code default_PORT}
   * @return the context
   */
  public SSLContext context(int port) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new BySni(this, port)}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM offers no TLS context: " + e, e);
    }
  }

  /**
   * Starts a daemon thread that calls {@link #poll()} on each directory every {@code interval}.
   * Shut the returned executor down to stop it.
   *
   * @param directories the directories to watch
   * @param interval    the time between two looks
   * @return the executor running the thread
   */
  public static ScheduledExecutorService watch(Collection<CertificateDirectory> directories,
      Duration interval) {
    List<CertificateDirectory> dirs = List.copyOf(directories);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "p8-certificate-watcher");
      t.setDaemon(true);
      return t;
    });
    long nanos = interval.toNanos();
    poller.scheduleWithFixedDelay(() -> {
      for (CertificateDirectory d : dirs) {
        try {
          d.poll();
        } catch (RuntimeException e) {
          // An exception would end the schedule, and with it every later reload.
          log.warn("checking TLS certificate directory {} failed", d.dir, e);
        }
      }
    }, nanos, nanos, TimeUnit.NANOSECONDS);
    return poller;
  }

  /**
   * Looks at the files once and reloads each name whose files changed since the last look.
   *
   * @return true when the certificates in use changed
   */
  public synchronized boolean poll() {
    Map<String, PairFiles> now;
    try {
      now = list();
    } catch (IOException e) {
      String problem = e.toString();
      if (!problem.equals(listingProblem)) {
        log.warn("TLS certificate directory {} cannot be listed, keeping the current certificates: {}",
            dir, problem);
        listingProblem = problem;
      }
      return false;
    }
    listingProblem = null;
    Map<String, Identity> byName = new TreeMap<>(current.byName());
    boolean changed = false;
    Set<String> names = new TreeSet<>(seen.keySet());
    names.addAll(now.keySet());
    for (String name : names) {
      PairFiles was = seen.get(name);
      PairFiles is = now.get(name);
      if (Objects.equals(was, is)) {
        continue;
      }
      if (is == null || is.crt() == null) {
        if (byName.remove(name) != null) {
          changed = true;
          log.info("TLS certificate {} removed: {} is gone", name, dir.resolve(name + ".crt"));
        }
      } else {
        try {
          byName.put(name, load(name));
          changed = true;
          log.info("TLS certificate {} loaded from {}", name, dir.resolve(name + ".crt"));
        } catch (RuntimeException e) {
          // IllegalArgumentException carries a sentence naming the file; anything else is
          // unexpected and is shown whole.
          log.warn("TLS certificate {} not reloaded, {}: {}", name,
              byName.containsKey(name) ? "keeping the one loaded before" : "none in use for it",
              e instanceof IllegalArgumentException ? e.getMessage() : e.toString());
        }
      }
      if (is == null) {
        seen.remove(name);
      } else {
        seen.put(name, is);
      }
    }
    if (!changed) {
      return false;
    }
    if (byName.isEmpty()) {
      log.warn("TLS certificate directory {} has no usable NAME.crt/NAME.key pair left;"
          + " TLS handshakes fail until one is added", dir);
    }
    previous = current;
    current = Snapshot.of(byName.values());
    return true;
  }

  /** The stamps of every {@code .crt} and {@code .key} file, by lower-case name. */
  private Map<String, PairFiles> list() throws IOException {
    Map<String, PairFiles> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String file = p.getFileName().toString();
        String lower = file.toLowerCase(Locale.ROOT);
        boolean crt = lower.endsWith(".crt");
        if (!crt && !lower.endsWith(".key")) {
          continue;
        }
        String name = lower.substring(0, lower.length() - 4);
        Stamp stamp = stamp(p);
        if (stamp == null) {
          continue;
        }
        PairFiles f = files.getOrDefault(name, new PairFiles(null, null));
        files.put(name, crt ? new PairFiles(stamp, f.key()) : new PairFiles(f.crt(), stamp));
      }
    }
    return files;
  }

  private static Stamp stamp(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    } catch (NoSuchFileException e) {
      // Removed between the listing and this look, or a dangling symbolic link.
      return null;
    }
  }

  /**
   * Reads one pair. The files are found again by name, whatever the case of their extension.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  private Identity load(String name) {
    Path crt = find(name, ".crt");
    Path keyFile = find(name, ".key");
    if (keyFile == null) {
      throw new IllegalArgumentException("certificate " + crt + " has no key file "
          + dir.resolve(name + ".key"));
    }
    X509Certificate[] chain;
    try (InputStream in = Files.newInputStream(crt)) {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("certificate file " + crt + " cannot be read: " + e, e);
    }
    if (chain.length == 0) {
      throw new IllegalArgumentException("certificate file " + crt + " holds no certificate");
    }
    String pem;
    try {
      pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("key file " + keyFile + " cannot be read: " + e, e);
    }
    PrivateKey key = SigKey.privateKeyFromPem(pem, "key file " + keyFile);
    if (!belong(key, chain[0])) {
      throw new IllegalArgumentException("key file " + keyFile + " does not hold the private key of "
          + crt + " (one of them may be half written)");
    }
    return new Identity(name, name + "#" + ++loads, chain, key);
  }

  private Path find(String name, String extension) {
    Path exact = dir.resolve(name + extension);
    if (Files.isRegularFile(exact)) {
      return exact;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (p.getFileName().toString().equalsIgnoreCase(name + extension) && Files.isRegularFile(p)) {
          return p;
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("TLS certificate directory " + dir + " cannot be listed: " + e, e);
    }
    return extension.equals(".crt") ? exact : null;
  }

  /**
   * Whether the key signs what the certificate's public key verifies: files replaced one after
   * the other are, for a moment, a new certificate with the old key.
   */
  private static boolean belong(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = "p8 certificate check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // An RSA key against an EC certificate, for example.
      return false;
    }
  }

  private Identity identity(String alias) {
    Identity i = current.byAlias().get(alias);
    return i != null ? i : previous.byAlias().get(alias);
  }

  /** Picks the alias by SNI host name with Pushpin's file-name rules, from the current pairs. */
  private static final class BySni extends X509ExtendedKeyManager {
    private final CertificateDirectory certs;
    private final int port;

    BySni(CertificateDirectory certs, int port) {
      this.certs = certs;
      this.port = port;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return choose(engine == null ? null : host(engine.getHandshakeSession()));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return choose(socket instanceof SSLSocket s ? host(s.getHandshakeSession()) : null);
    }

    private static String host(SSLSession session) {
      String host = null;
      if (session instanceof ExtendedSSLSession extended) {
        for (SNIServerName n : extended.getRequestedServerNames()) {
          if (n instanceof SNIHostName h) {
            host = h.getAsciiName().toLowerCase(Locale.ROOT);
          }
        }
      }
      return host;
    }

    private String choose(String host) {
      Map<String, Identity> byName = certs.current.byName();
      Identity chosen = null;
      if (host != null && !host.contains("/")) {
        chosen = byName.get(host);
        int dot = host.indexOf('.');
        if (chosen == null && dot >= 0) {
          chosen = byName.get("_" + host.substring(dot));
        }
      }
      if (chosen == null) {
        chosen = byName.get("default_" + port);
      }
      if (chosen == null) {
        chosen = byName.get("default");
      }
      return chosen == null ? null : chosen.alias();
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
      String[] aliases = certs.current.byAlias().values().stream()
          .filter(i -> i.key().getAlgorithm().equals(keyType))
          .map(Identity::alias).toArray(String[]::new);
      return aliases.length == 0 ? null : aliases;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Identity i = certs.identity(alias);
      return i == null ? null : i.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Identity i = certs.identity(alias);
      return i == null ? null : i.key();
    }
  }
}
