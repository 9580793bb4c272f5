package dev.p8.undertow;

import dev.p8.publish.Item;
import dev.p8.publish.PublishException;
import dev.p8.publish.Publisher;
import dev.p8.route.Route;
import dev.p8.route.Target;
import dev.p8.undertow.internal.Engine;
import dev.p8.undertow.internal.EngineConfig;
import dev.p8.internal.sig.SigKey;
import dev.p8.internal.zmq.StatsPublisher;
import dev.p8.undertow.internal.CertificateDirectory;
import dev.p8.undertow.internal.Forwarding;
import dev.p8.undertow.internal.RequestHead;
import dev.p8.undertow.internal.XffRule;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import org.xnio.Options;

/**
 * A P8 GRIP proxy: a client listener that proxies to backends and holds connections the
 * backend asks to hold, and a control listener that accepts publishes.
 *
 * <pre>{@code
 * try (P8Server p8 = P8Server.builder()
 *     .listen("127.0.0.1", 7999)
 *     .route("* localhost:8080")
 *     .build()
 *     .start()) {
 *   p8.publisher().publish(Item.stream("test", "hello\n"));
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link Builder#build()} validates the configuration and returns a server
 * that has not started. {@link #start()} binds every listener, or releases what it bound and
 * throws {@link IllegalStateException} naming the listener that failed. {@link #stop()} closes
 * the listeners and every held connection; a stopped server cannot start again, build a new
 * one. {@link #publisher()}, {@link #handler()} and {@link #controlHandler()} work in every
 * state, so the handlers can be mounted in an application's own Undertow server without
 * starting this one.
 *
 * <p><b>Thread safety.</b> All methods are thread safe.
 */
public final class P8Server implements AutoCloseable {

  /** Default client port: 7999, as Pushpin. */
  public static final int DEFAULT_PORT = 7999;
  /** Default control (publish) port: 5561, as Pushpin. */
  public static final int DEFAULT_CONTROL_PORT = 5561;
  /** Default control host: loopback only, since the control API has no authentication. */
  public static final String DEFAULT_CONTROL_HOST = "127.0.0.1";
  /** Default Grip-Sig issuer when a key is set without one: {@code pushpin}, as Pushpin. */
  public static final String DEFAULT_SIG_ISSUER = "pushpin";
  /** Default limit on open client connections: 50,000, as Pushpin's {@code client_maxconn}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 50_000;
  /** Default time to wait for a backend's response headers: 30 seconds. */
  public static final Duration DEFAULT_BACKEND_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link Builder#messageWait(Duration)}: Pushpin's 5 s. */
  public static final Duration DEFAULT_MESSAGE_WAIT = Duration.ofSeconds(5);

  /** Default of {@link Builder#idCacheTtl(Duration)}: the 60 s of Pushpin's shipped config. */
  public static final Duration DEFAULT_ID_CACHE_TTL = Duration.ofSeconds(60);

  /** Default of {@link Builder#updateOnFirstSubscription(boolean)}: on, as Pushpin. */
  public static final boolean DEFAULT_UPDATE_ON_FIRST_SUBSCRIPTION = true;

  /** Default of {@link Builder#subscriptionLinger(Duration)}: Pushpin's 60 s. */
  public static final Duration DEFAULT_SUBSCRIPTION_LINGER = Duration.ofSeconds(60);

  /** Default of {@link Builder#messageHwm(int)}: 25,000, the number in Pushpin's shipped config. */
  public static final int DEFAULT_MESSAGE_HWM = 25_000;

  /** Default of {@link Builder#messageRate(int)}: 0, no limit, as Pushpin's code default. */
  public static final int DEFAULT_MESSAGE_RATE = 0;

  /** Default of {@link Builder#statsReportInterval(Duration)}: Pushpin's 10 s. */
  public static final Duration DEFAULT_STATS_REPORT_INTERVAL = Duration.ofSeconds(10);

  private enum State { NEW, STARTED, STOPPED }

  private final Engine engine;
  private final List<InetSocketAddress> listeners;
  private final InetSocketAddress controlListener;
  private final int ioThreads;
  private final List<TlsListener> tlsListeners;
  private final boolean http2;
  private final List<InetSocketAddress> prometheusListeners;
  private int boundPrometheusPort = -1;
  private final Duration certificatePollInterval;
  private ScheduledExecutorService certificateWatcher;
  private State state = State.NEW;
  private int boundTlsPort = -1;
  private Undertow undertow;
  private int boundPort = -1;
  private int boundControlPort = -1;

  private P8Server(Builder b, Engine engine) {
    this.engine = engine;
    this.listeners = List.copyOf(b.listeners.isEmpty()
        ? List.of(InetSocketAddress.createUnresolved("0.0.0.0", DEFAULT_PORT)) : b.listeners);
    this.controlListener = b.controlListener;
    this.ioThreads = b.ioThreads;
    this.tlsListeners = List.copyOf(b.tlsListeners);
    this.http2 = b.http2;
    this.prometheusListeners = List.copyOf(b.prometheusListeners);
    this.certificatePollInterval = b.certificatePollInterval;
  }

  private record TlsListener(InetSocketAddress address, CertificateDirectory certificates, int port) { }

  /**
   * Returns a builder with Pushpin's defaults: clients on port 7999, control on 127.0.0.1:5561.
   *
   * @return a new builder; each call returns an independent one
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the listeners and starts serving. Calling it again on a started server does nothing.
   *
   * @return this server
   * @throws IllegalStateException if the server was stopped, or a listener could not bind
   */
  public synchronized P8Server start() {
    if (state == State.STARTED) {
      return this;
    }
    if (state == State.STOPPED) {
      throw new IllegalStateException("this P8Server was stopped and cannot start again; build a new one");
    }
    Undertow.Builder ub = Undertow.builder()
        .setIoThreads(ioThreads)
        .setWorkerThreads(Math.max(2, ioThreads))
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE,
            RequestHead.undertowLimit(engine.config().limits().maxRequestHeaderBytes()))
        // Pushpin's connection manager adds no Date header of its own.
        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, false)
        .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
        .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, false)
        // Buffering pipelined responses would hold a long-poll answer back until the
        // request behind it completes, which for a held request can be a minute.
        .setServerOption(UndertowOptions.BUFFER_PIPELINED_DATA, false)
        .setServerOption(UndertowOptions.ENABLE_HTTP2, http2)
        .setSocketOption(Options.TCP_NODELAY, true)
        .setSocketOption(Options.REUSE_ADDRESSES, true)
        // XNIO stops accepting at the high-water mark and resumes below the low one.
        .setSocketOption(Options.CONNECTION_HIGH_WATER, engine.config().maxConnections())
        .setSocketOption(Options.CONNECTION_LOW_WATER, engine.config().maxConnections());
    for (InetSocketAddress a : listeners) {
      ub.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
          .setHost(a.getHostString()).setPort(a.getPort()).setRootHandler(engine.clientHandler()));
    }
    if (controlListener != null) {
      ub.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
          .setHost(controlListener.getHostString()).setPort(controlListener.getPort())
          .setRootHandler(engine.controlHandler()));
    }
    for (TlsListener t : tlsListeners) {
      ub.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTPS)
          .setHost(t.address().getHostString()).setPort(t.address().getPort())
          .setSslContext(t.certificates().context(t.port())).setRootHandler(engine.clientHandler()));
    }
    for (InetSocketAddress a : prometheusListeners) {
      ub.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
          .setHost(a.getHostString()).setPort(a.getPort()).setRootHandler(engine.metricsHandler()));
    }
    Undertow u = ub.build();
    try {
      u.start();
    } catch (RuntimeException e) {
      // No u.stop() here: a failed Undertow.start() has already shut its XNIO worker down, and
      // closing the listeners it bound before the failure would wait forever on that dead
      // worker's threads. The worker's shutdown closes them.
      throw new IllegalStateException("P8 could not start: binding " + describeListeners()
          + " failed: " + rootMessage(e), e);
    }
    List<Undertow.ListenerInfo> infos = u.getListenerInfo();
    boundPort = ((InetSocketAddress) infos.get(0).getAddress()).getPort();
    if (controlListener != null) {
      boundControlPort = ((InetSocketAddress) infos.get(listeners.size()).getAddress()).getPort();
    }
    if (!tlsListeners.isEmpty()) {
      int first = listeners.size() + (controlListener != null ? 1 : 0);
      boundTlsPort = ((InetSocketAddress) infos.get(first).getAddress()).getPort();
    }
    if (!prometheusListeners.isEmpty()) {
      int first = listeners.size() + (controlListener != null ? 1 : 0) + tlsListeners.size();
      boundPrometheusPort = ((InetSocketAddress) infos.get(first).getAddress()).getPort();
    }
    try {
      engine.started();
    } catch (RuntimeException e) {
      engine.stop();
      u.stop();
      throw new IllegalStateException("P8 could not start: " + rootMessage(e), e);
    }
    if (!tlsListeners.isEmpty()) {
      // Listeners on one directory share it, so each directory is looked at once per interval.
      certificateWatcher = CertificateDirectory.watch(tlsListeners.stream()
          .map(TlsListener::certificates).distinct().toList(), certificatePollInterval);
    }
    undertow = u;
    state = State.STARTED;
    return this;
  }

  /** Closes the listeners and every held connection. Idempotent. */
  public synchronized void stop() {
    if (state == State.STOPPED) {
      return;
    }
    State was = state;
    state = State.STOPPED;
    engine.stop();
    if (certificateWatcher != null) {
      certificateWatcher.shutdownNow();
      certificateWatcher = null;
    }
    if (was == State.STARTED) {
      undertow.stop();
      undertow = null;
    }
  }

  /**
   * Stops gracefully: new client requests are answered 503 with the connection closed, so a
   * load balancer sends them elsewhere (the control listener keeps taking publishes); held
   * connections have up to {@code grace} to end on their own (a
   * long-poll answered, a stream closed by a publish), then every one left is ended as a client
   * expects at an ordinary end (a long-poll gets its timeout response, a stream its last chunk,
   * a WebSocket close 1001) so that it reconnects elsewhere; then the server stops. Blocks the
   * caller for at most {@code grace} plus a second.
   *
   * @param grace how long held connections may take to end on their own; zero ends them at once
   * @throws NullPointerException     if {@code grace} is null
   * @throws IllegalArgumentException if {@code grace} is negative
   */
  public void stop(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    synchronized (this) {
      if (state != State.STARTED) {
        stop();
        return;
      }
      // Undertow's ListenerInfo.suspend() would also close every open connection, held ones
      // included; instead new requests are turned away with 503 and a closed connection.
      engine.drain();
    }
    try {
      long deadline = System.nanoTime() + grace.toNanos();
      if (!engine.awaitIdle(deadline)) {
        engine.endHeldConnections();
        // The last chunks and close frames need a moment to reach the sockets.
        engine.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stop();
    }
  }

  /** Same as {@link #stop()}, for try-with-resources. */
  @Override
  public void close() {
    stop();
  }

  /**
   * The ZeroMQ PULL endpoint publishes go to, with the actual port when {@code zmqPull} gave
   * {@code *} (as in {@code tcp://127.0.0.1:*}).
   *
   * @return the endpoint, or null when not started or without a PULL input
   */
  public synchronized String zmqPullEndpoint() {
    return state == State.STARTED ? engine.zmqPullEndpoint() : null;
  }

  /**
   * The ZeroMQ command socket's endpoint, with the actual port when {@code zmqCommand} gave
   * {@code *}.
   *
   * @return the endpoint, or null when not started or without a command socket
   */
  public synchronized String zmqCommandEndpoint() {
    return state == State.STARTED ? engine.zmqCommandEndpoint() : null;
  }

  /**
   * The routes in force, in order of the file or the builder. With a routes file they change
   * when the file does.
   *
   * @return an unmodifiable list; empty when nothing routes
   */
  public List<Route> routes() {
    return engine.currentRoutes();
  }

  /**
   * The bound client port (useful with port 0), or -1 when not started.
   *
   * @return the port the first client listener bound (the actual one when it was given port 0),
   *     or -1 before {@link #start()} and after {@link #stop()}
   */
  public synchronized int port() {
    return state == State.STARTED ? boundPort : -1;
  }

  /**
   * The bound port of the first TLS client listener, or -1 when not started or there is none.
   *
   * @return the port the first {@link Builder#listenTls} listener bound (the actual one when it
   *     was given port 0), or -1 before {@link #start()}, after {@link #stop()}, or without one
   */
  public synchronized int tlsPort() {
    return state == State.STARTED ? boundTlsPort : -1;
  }

  /**
   * The bound port of the first Prometheus listener, or -1 when not started or there is none.
   *
   * @return the port the first {@link Builder#prometheusListener} bound (the actual one when it
   *     was given port 0), or -1 before {@link #start()}, after {@link #stop()}, or without one
   */
  public synchronized int prometheusPort() {
    return state == State.STARTED ? boundPrometheusPort : -1;
  }

  /**
   * The ZeroMQ stats endpoint, with the actual port when {@code stats} gave {@code *}.
   *
   * @return the endpoint, or null when not started, without a stats socket, or when it could
   *     not be bound (that is logged, and the server runs without stats)
   */
  public synchronized String statsEndpoint() {
    return state == State.STARTED ? engine.statsEndpoint() : null;
  }

  /**
   * The bound control port, or -1 when not started or when there is no control listener.
   *
   * @return the port the control listener bound (the actual one when it was given port 0), or
   *     -1 before {@link #start()}, after {@link #stop()}, or after
   *     {@link Builder#noControlListener()}
   */
  public synchronized int controlPort() {
    return state == State.STARTED ? boundControlPort : -1;
  }

  /**
   * The client URL, for example {@code http://127.0.0.1:7999}.
   *
   * @return an {@code http} URI for the first client listener's host and bound port; a wildcard
   *     host ({@code 0.0.0.0} or {@code ::}) becomes {@code 127.0.0.1}, an IPv6 host is put in
   *     brackets. The URI has no path
   * @throws IllegalStateException if the server is not started
   */
  public synchronized URI url() {
    requireStarted("url()");
    return URI.create("http://" + hostForUrl(listeners.get(0)) + ":" + boundPort);
  }

  /**
   * The control API URL, for example {@code http://127.0.0.1:5561}.
   *
   * @return an {@code http} URI for the control listener's host and bound port, with no path
   *     (publishes go to {@code /publish} under it); a wildcard host becomes {@code 127.0.0.1},
   *     an IPv6 host is put in brackets
   * @throws IllegalStateException if the server is not started or has no control listener
   */
  public synchronized URI controlUrl() {
    requireStarted("controlUrl()");
    if (controlListener == null) {
      throw new IllegalStateException("controlUrl(): this server was built without a control listener");
    }
    return URI.create("http://" + hostForUrl(controlListener) + ":" + boundControlPort);
  }

  /**
   * A publisher that delivers in this process, without a socket. Its stages complete as soon as
   * the items are queued for their subscribers.
   *
   * @return this server's publisher, the same instance on every call; thread safe, and usable
   *     in every state of the server
   */
  public Publisher publisher() {
    return engine.publisher();
  }

  /**
   * The client-facing handler, to mount in an application's own Undertow server.
   *
   * @return the same handler on every call, the one this server's client listeners use; it
   *     works without {@link #start()} and shares this server's routes, held connections and
   *     subscriptions
   */
  public HttpHandler handler() {
    return engine.clientHandler();
  }

  /**
   * The control API handler ({@code POST /publish}), to mount in an application's own server.
   *
   * @return the same handler on every call, the one the control listener uses; it works
   *     without {@link #start()} and with {@link Builder#noControlListener()}. It has no
   *     authentication, so mount it only where publishers alone can reach it
   */
  public HttpHandler controlHandler() {
    return engine.controlHandler();
  }

  /**
   * The number of client connections currently held (long-polls and streams).
   *
   * @return the count at the moment of the call, zero or more, including connections that came
   *     through {@link #handler()} mounted elsewhere; WebSockets are not counted here
   */
  public int heldConnections() {
    return engine.heldConnections();
  }

  /**
   * The number of client WebSockets currently open.
   *
   * @return the count at the moment of the call, zero or more, both WebSockets proxied to a
   *     backend WebSocket and WebSocket-over-HTTP ones
   */
  public int webSocketConnections() {
    return engine.webSocketConnections();
  }

  /**
   * The number of (channel, connection) subscriptions currently open.
   *
   * @return the count at the moment of the call, zero or more: a connection subscribed to three
   *     channels counts three
   */
  public int subscriptions() {
    return engine.hub().subscriptionCount();
  }

  /** The engine, for tests in this package that look at its counters. */
  Engine engine() {
    return engine;
  }

  private void requireStarted(String method) {
    if (state != State.STARTED) {
      throw new IllegalStateException(method + " is only available while the server is started; it is " + state);
    }
  }

  private String describeListeners() {
    StringBuilder sb = new StringBuilder();
    for (InetSocketAddress a : listeners) {
      sb.append(sb.length() == 0 ? "" : ", ").append("client listener ")
          .append(a.getHostString()).append(':').append(a.getPort());
    }
    if (controlListener != null) {
      sb.append(", control listener ").append(controlListener.getHostString()).append(':')
          .append(controlListener.getPort());
    }
    for (TlsListener t : tlsListeners) {
      sb.append(", TLS listener ").append(t.address().getHostString()).append(':')
          .append(t.address().getPort());
    }
    for (InetSocketAddress a : prometheusListeners) {
      sb.append(", Prometheus listener ").append(a.getHostString()).append(':').append(a.getPort());
    }
    return sb.toString();
  }

  private static String hostForUrl(InetSocketAddress a) {
    String host = a.getHostString();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  /**
   * Configures a {@link P8Server}. Every setter checks its argument at once and names the
   * option in its error. Not thread safe.
   */
  public static final class Builder {
    private final BuilderPublisher publisher = new BuilderPublisher();

    private final List<InetSocketAddress> listeners = new ArrayList<>();
    private final List<TlsListener> tlsListeners = new ArrayList<>();
    private boolean http2;
    private Duration certificatePollInterval = CertificateDirectory.DEFAULT_POLL_INTERVAL;
    private InetSocketAddress controlListener =
        InetSocketAddress.createUnresolved(DEFAULT_CONTROL_HOST, DEFAULT_CONTROL_PORT);
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, HttpHandler> origins = new LinkedHashMap<>();
    private String sigIssuer = DEFAULT_SIG_ISSUER;
    private SigKey sigKey;
    private boolean debug;
    private Path routesFile;
    private XffRule xff = XffRule.NONE;
    private XffRule xffTrusted = XffRule.NONE;
    private boolean acceptForwardedProto;
    private boolean setForwardedProto;
    private boolean setForwardedProtocol;
    private String cdnLoop = "";
    private boolean acceptPushpinRoute;
    private SigKey upstreamKey;
    private boolean autoCrossOrigin;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Limits limits = Limits.defaults();
    private Duration backendTimeout = DEFAULT_BACKEND_TIMEOUT;
    private String zmqPull;
    private final List<String> zmqSub = new ArrayList<>();
    private boolean zmqSubConnect;
    private final List<P8Listener> eventListeners = new ArrayList<>();
    private final List<InetSocketAddress> prometheusListeners = new ArrayList<>();
    private String prometheusPrefix;
    private String stats;
    private StatsPublisher.Format statsFormat;
    private Duration statsReportInterval;
    private Boolean statsConnectionSend;
    private String zmqCommand;
    private Duration messageWait = DEFAULT_MESSAGE_WAIT;
    private Duration idCacheTtl = DEFAULT_ID_CACHE_TTL;
    private Duration linkRetryDelay = EngineConfig.DEFAULT_LINK_RETRY_DELAY;
    private boolean updateOnFirstSubscription = DEFAULT_UPDATE_ON_FIRST_SUBSCRIPTION;
    private Duration subscriptionLinger = DEFAULT_SUBSCRIPTION_LINGER;
    private int messageHwm = DEFAULT_MESSAGE_HWM;
    private int messageRate = DEFAULT_MESSAGE_RATE;
    private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

    private Builder() {}

    /**
     * Adds a client listener. Without any, P8 listens on {@code 0.0.0.0:7999}.
     *
     * @param host the address to bind, such as {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port the port, or 0 for any free port (see {@link P8Server#port()})
     * @return this builder
     * @throws IllegalArgumentException if {@code host} is null or blank, or {@code port} is
     *     outside 0-65535
     */
    public Builder listen(String host, int port) {
      listeners.add(InetSocketAddress.createUnresolved(requireHost("listen host", host), requirePort("listen port", port)));
      return this;
    }

    /**
     * Adds a TLS client listener whose certificates come from a directory laid out as Pushpin's
     * {@code runner/certs}: PEM pairs {@code NAME.crt} and {@code NAME.key}, chosen by the
     * client's SNI host ({@code host.crt}, then {@code _.parent.crt}), else
     * {@code default_PORT.crt}, else {@code default.crt}. Keys are PKCS#8, PKCS#1 RSA or SEC 1 EC
     * (P-256). Requests on it count as TLS for {@code ssl=yes} routes and X-Forwarded-Proto.
     * pushpin.conf {@code https_ports} (certificates in {@code runner/certs} beside the config).
     *
     * <p>The files are read here, and every pair must be usable. While the server runs, the
     * directory is looked at about once a second: a pair added or replaced is used by the next
     * TLS handshake, a pair whose {@code .crt} is removed is no longer offered (its hosts get the
     * default), and connections already open keep the certificate they started with. A pair
     * that cannot be used then (half written, a key that does not match) is logged at WARN with
     * the file and the reason, and the pair loaded before it stays in use.
     *
     * @param host                 the address to bind, such as {@code 127.0.0.1} or
     *                             {@code 0.0.0.0}
     * @param port                 the port, 0-65535, or 0 for any free port (see
     *                             {@link P8Server#tlsPort()}); this configured number, not the
     *                             bound one, is the {@code PORT} of {@code default_PORT.crt}
     * @param certificateDirectory the directory of {@code NAME.crt}/{@code NAME.key} pairs
     * @return this builder
     * @throws IllegalArgumentException naming the directory or file that cannot be used (one with
     *     no pair, a {@code .crt} without its {@code .key}, an unreadable key), or if
     *     {@code host} is null or blank, or {@code port} is outside 0-65535
     * @throws NullPointerException     if {@code certificateDirectory} is null
     */
    public Builder listenTls(String host, int port, Path certificateDirectory) {
      InetSocketAddress address = InetSocketAddress.createUnresolved(requireHost("listenTls host", host),
          requirePort("listenTls port", port));
      Objects.requireNonNull(certificateDirectory, "certificateDirectory");
      // Listeners on one directory share its pairs (https_ports gives several ports one runner/certs).
      CertificateDirectory certificates = null;
      for (TlsListener t : tlsListeners) {
        if (sameDirectory(t.certificates().directory(), certificateDirectory)) {
          certificates = t.certificates();
        }
      }
      if (certificates == null) {
        certificates = CertificateDirectory.open(certificateDirectory);
      }
      tlsListeners.add(new TlsListener(address, certificates, port));
      return this;
    }

    private static boolean sameDirectory(Path a, Path b) {
      try {
        return Files.isSameFile(a, b);
      } catch (IOException e) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
      }
    }

    /**
     * How often the certificate directories of {@link #listenTls} are looked at for changed
     * files. Default {@link CertificateDirectory#DEFAULT_POLL_INTERVAL}. Package-private: a knob
     * for tests, which would otherwise wait a second for each reload.
     */
    Builder certificatePollInterval(Duration interval) {
      Objects.requireNonNull(interval, "certificatePollInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("certificatePollInterval must be positive: " + interval);
      }
      this.certificatePollInterval = interval;
      return this;
    }

    /**
     * Serves HTTP/2 to clients that ask for it: through ALPN on TLS listeners, and through
     * {@code Upgrade: h2c} or prior knowledge on plain ones. Many streams (for example SSE holds)
     * then share one connection. Default false, since Pushpin speaks only HTTP/1.1.
     *
     * @param enabled true to serve HTTP/2 to clients that ask for it; false, the default, for
     *     HTTP/1.1 only
     * @return this builder
     */
    public Builder http2(boolean enabled) {
      this.http2 = enabled;
      return this;
    }

    /**
     * Adds a client listener on all interfaces: same as {@code listen("0.0.0.0", port)}.
     *
     * @param port the port, 0-65535, or 0 for any free port (see {@link P8Server#port()}); each
     *     call adds another listener
     * @return this builder
     * @throws IllegalArgumentException if {@code port} is outside 0-65535
     */
    public Builder port(int port) {
      return listen("0.0.0.0", port);
    }

    /**
     * Sets the control listener, where {@code POST /publish} is served. The default is
     * {@code 127.0.0.1:5561}; pushpin.conf {@code push_in_http_addr} and {@code push_in_http_port}.
     *
     * @param host the address to bind; the control API has no authentication, so keep it on
     *     loopback or a network only publishers reach
     * @param port the port, 0-65535, or 0 for any free port (see {@link P8Server#controlPort()});
     *     {@link #build()} refuses the port of a client listener on the same or a wildcard host
     * @return this builder
     * @throws IllegalArgumentException if {@code host} is null or blank, or {@code port} is
     *     outside 0-65535
     */
    public Builder controlListener(String host, int port) {
      controlListener = InetSocketAddress.createUnresolved(requireHost("control host", host),
          requirePort("control port", port));
      return this;
    }

    /**
     * Serves no control listener; publish in-process or mount {@link P8Server#controlHandler()}.
     *
     * @return this builder; a later {@link #controlListener(String, int)} sets one again
     */
    public Builder noControlListener() {
      controlListener = null;
      return this;
    }

    /**
     * Adds a route in Pushpin's routes-file syntax, for example {@code "* localhost:8080"} or
     * {@code "*,path_beg=/api backend:80"}.
     *
     * @param line one routes-file line, without its terminator; text after an unquoted {@code #}
     *     is a comment. An {@code in-process:NAME} target must be registered with
     *     {@link #origin} before {@link #build()}
     * @return this builder
     * @throws IllegalArgumentException naming the bad token
     * @throws NullPointerException     if {@code line} is null
     */
    public Builder route(String line) {
      routes.add(Route.parse(Objects.requireNonNull(line, "route")));
      return this;
    }

    /**
     * Adds a route.
     *
     * @param route the route, added after those already given
     * @return this builder
     * @throws NullPointerException if {@code route} is null
     */
    public Builder route(Route route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    /**
     * Adds a route whose target is an origin handler in this JVM, reached without a socket:
     * for example {@code route("*", app)} or {@code route("*,path_beg=/api,prefix=api_", app)}.
     * The handler sees an ordinary {@link io.undertow.server.HttpServerExchange} with the
     * request as P8 forwards it (path rewritten, P8's forwarding headers and {@code Grip-Sig}
     * added), runs on a worker thread (so it may block, or answer later from any thread), and
     * its response is treated exactly as a backend's: GRIP instructions hold the client, any
     * other response streams through. The route's target is {@code in-process:NAME,over_http}
     * under a generated name, so WebSocket clients reach the handler as WebSocket-over-HTTP
     * events. To choose the name or the target options, use {@link #origin} with a routes line.
     *
     * @param condition a routes-file condition: a host ({@code *} for any) and its options,
     *     without spaces or targets
     * @param handler   the origin; it must be thread safe, since requests arrive on many threads
     * @return this builder
     * @throws IllegalArgumentException naming the bad token of the condition, or if the
     *     condition is blank or holds a space, tab or {@code #}
     * @throws NullPointerException     if {@code condition} or {@code handler} is null
     */
    public Builder route(String condition, HttpHandler handler) {
      Objects.requireNonNull(condition, "condition");
      Objects.requireNonNull(handler, "handler");
      if (condition.isBlank() || condition.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '#')) {
        throw new IllegalArgumentException("route condition '" + condition
            + "' must be one routes-file token, such as * or *,path_beg=/api; targets come from the handler");
      }
      String name;
      int n = origins.size() + 1;
      do {
        name = "handler-" + n++;
      } while (origins.containsKey(name));
      Route route = Route.parse(condition + " in-process:" + name + ",over_http");
      origins.put(name, handler);
      routes.add(route);
      return this;
    }

    /**
     * Registers an origin handler in this JVM under a name, for routes whose target is
     * {@code in-process:NAME}, as in {@code route("*,path_beg=/chat in-process:chat,over_http")}.
     * Such a target takes requests with no socket, as described at
     * {@link #route(String, HttpHandler)}; WebSocket clients reach it only through
     * WebSocket-over-HTTP, so give the target {@code over_http} if it should take them. Every
     * in-process target of the routes given to this builder must name a registered origin;
     * a routes file may name one that is missing, and requests then get a 502.
     *
     * @param name    letters, digits, {@code -}, {@code _} and {@code .}
     * @param handler the origin; it must be thread safe
     * @return this builder
     * @throws IllegalArgumentException if the name is not valid or already registered
     * @throws NullPointerException     if {@code name} or {@code handler} is null
     */
    public Builder origin(String name, HttpHandler handler) {
      Objects.requireNonNull(handler, "handler");
      Target.inProcess(Objects.requireNonNull(name, "name"));
      if (origins.containsKey(name)) {
        throw new IllegalArgumentException("origin " + name + " is already registered");
      }
      origins.put(name, handler);
      return this;
    }

    /**
     * Adds routes.
     *
     * @param routes the routes, added in list order after those already given
     * @return this builder
     * @throws NullPointerException if {@code routes} or an element is null; the routes before a
     *     null element have been added
     */
    public Builder routes(List<Route> routes) {
      for (Route r : routes) {
        route(r);
      }
      return this;
    }

    /**
     * Reads the routes from a file in Pushpin's routes syntax, and reloads them when the file
     * changes (checked every second; a file replaced by rename is followed). A changed file
     * that does not parse keeps the routes in force and logs the line and reason. Cannot be
     * combined with {@link #route(String)}. pushpin.conf {@code routesfile}.
     *
     * @param file the routes file; a relative path is taken from the working directory. A later
     *     call replaces it
     * @return this builder
     * @throws IllegalArgumentException at {@link #build()} if the file cannot be read or parsed
     * @throws NullPointerException     if {@code file} is null
     */
    public Builder routesFile(Path file) {
      this.routesFile = Objects.requireNonNull(file, "routesFile");
      return this;
    }

    /**
     * Signs every backend request with a {@code Grip-Sig} token ({@code iss} and {@code exp}
     * one hour ahead). pushpin.conf {@code sig_iss} and {@code sig_key}.
     *
     * @param issuer the {@code iss} claim; default {@code pushpin}
     * @param key    the key, in pushpin.conf form: the literal secret (HS256), {@code base64:}
     *               and the secret in base64, or {@code file:PATH} to a file holding a PEM EC
     *               P-256 (ES256) or RSA (RS256) private key, or a secret in hex; a relative
     *               path is taken from the working directory
     * @return this builder
     * @throws IllegalArgumentException naming what is wrong with the key (it is empty, its file
     *     cannot be read or parsed, or it is a public key, which cannot sign), or if
     *     {@code issuer} is null or empty
     * @throws NullPointerException     if {@code key} is null
     */
    public Builder signing(String issuer, String key) {
      if (issuer == null || issuer.isEmpty()) {
        throw new IllegalArgumentException("signing issuer must not be empty");
      }
      SigKey parsed = SigKey.fromConfig(Objects.requireNonNull(key, "key"), Path.of(""));
      if (!parsed.canSign()) {
        throw new IllegalArgumentException("signing key is a public key; Grip-Sig needs the private key");
      }
      this.sigIssuer = issuer;
      this.sigKey = parsed;
      return this;
    }

    /**
     * Trusts requests whose {@code Grip-Sig} verifies under this key as coming from an upstream
     * GRIP proxy: their Grip-* headers reach the backend, P8 does not sign them, relays GRIP
     * responses untouched for the upstream proxy to act on, and applies
     * {@link #xForwardedForTrusted}. Default: none. pushpin.conf {@code upstream_key}.
     *
     * @param key a secret, {@code base64:} secret, or {@code file:} to a PEM public key or hex
     *            secret, as for {@link #signing}; a later call replaces it
     * @return this builder
     * @throws IllegalArgumentException naming what is wrong with the key (it is empty, or its
     *     file cannot be read or parsed)
     * @throws NullPointerException     if {@code key} is null
     */
    public Builder upstreamKey(String key) {
      this.upstreamKey = SigKey.fromConfig(Objects.requireNonNull(key, "upstreamKey"), Path.of(""));
      return this;
    }

    /**
     * The {@code X-Forwarded-For} rule for ordinary clients: a comma list of
     * {@code truncate:N} (keep the last N values; 0 drops the header) and {@code append} (add
     * the client's address). Default empty: the header passes as sent. pushpin.conf
     * {@code x_forwarded_for}.
     *
     * @param rules the rules, such as {@code truncate:0,append}; blanks around items are
     *     ignored, and empty means the header passes as sent
     * @return this builder
     * @throws IllegalArgumentException naming the item that is not a rule
     * @throws NullPointerException     if {@code rules} is null
     */
    public Builder xForwardedFor(String rules) {
      this.xff = XffRule.parse("xForwardedFor", Objects.requireNonNull(rules, "rules"));
      return this;
    }

    /**
     * The {@code X-Forwarded-For} rule for clients trusted through {@link #upstreamKey}; same
     * syntax as {@link #xForwardedFor}. Default empty. pushpin.conf
     * {@code x_forwarded_for_trusted}.
     *
     * @param rules the rules for trusted clients, such as {@code append}; empty means the
     *     header passes as sent
     * @return this builder
     * @throws IllegalArgumentException naming the item that is not a rule
     * @throws NullPointerException     if {@code rules} is null
     */
    public Builder xForwardedForTrusted(String rules) {
      this.xffTrusted = XffRule.parse("xForwardedForTrusted", Objects.requireNonNull(rules, "rules"));
      return this;
    }

    /**
     * Treats a request whose {@code X-Forwarded-Proto} (or {@code X-Forwarded-Protocol}) is
     * {@code https} or {@code wss} as arriving over TLS, for route matching ({@code ssl=yes})
     * and forwarding; the client's header is then not passed on. For use behind a TLS
     * terminator. Default false. pushpin.conf {@code accept_x_forwarded_protocol}.
     *
     * @param accept true to trust the client's header; only safe when every client comes
     *     through a terminator that sets or removes it, since any client can send it
     * @return this builder
     */
    public Builder acceptXForwardedProto(boolean accept) {
      this.acceptForwardedProto = accept;
      return this;
    }

    /**
     * Which header tells the backend that the client used TLS: {@code "proto-only"} sends
     * {@code X-Forwarded-Proto: https} (or {@code wss}), {@code "true"} sends it and
     * {@code X-Forwarded-Protocol}, {@code "false"} sends neither. Either header from the client
     * is then removed. Default {@code "false"}, as Pushpin with the key unset (its example
     * pushpin.conf sets {@code proto-only}). pushpin.conf {@code set_x_forwarded_protocol}.
     *
     * @param mode {@code "proto-only"}, {@code "true"} or {@code "false"}, exactly (case
     *     matters)
     * @return this builder
     * @throws IllegalArgumentException for any other value
     * @throws NullPointerException     if {@code mode} is null
     */
    public Builder setXForwardedProto(String mode) {
      switch (Objects.requireNonNull(mode, "mode")) {
        case "proto-only" -> {
          setForwardedProto = true;
          setForwardedProtocol = false;
        }
        case "true" -> {
          setForwardedProto = true;
          setForwardedProtocol = true;
        }
        case "false" -> {
          setForwardedProto = false;
          setForwardedProtocol = false;
        }
        default -> throw new IllegalArgumentException("setXForwardedProto must be proto-only, true"
            + " or false, was \"" + mode + "\"");
      }
      return this;
    }

    /**
     * Appends this value to the request's {@code CDN-Loop} header (RFC 8586), for CDNs that
     * detect loops. Default empty: the header is left alone. pushpin.conf {@code cdn_loop}.
     *
     * @param value the value, such as {@code p8}; surrounding whitespace is stripped, and empty
     *     leaves the header alone. A loop is not rejected, only marked
     * @return this builder
     * @throws IllegalArgumentException if the stripped value holds a control character
     *     (below U+0020, or DEL), naming its index
     * @throws NullPointerException     if {@code value} is null
     */
    public Builder cdnLoop(String value) {
      String v = Objects.requireNonNull(value, "cdnLoop").strip();
      for (int i = 0; i < v.length(); i++) {
        if (v.charAt(i) < 0x20 || v.charAt(i) == 0x7f) {
          throw new IllegalArgumentException("cdnLoop contains a control character at index " + i);
        }
      }
      this.cdnLoop = v;
      return this;
    }

    /**
     * Lets a client choose the route by id with a {@code Pushpin-Route: ID} header (the path must
     * still match the route's {@code path_beg}); the header is not passed on. Default false.
     * pushpin.conf {@code accept_pushpin_route}.
     *
     * @param accept true to honour {@code Pushpin-Route}; false, the default, passes the header
     *     on as any other
     * @return this builder
     */
    public Builder acceptPushpinRoute(boolean accept) {
      this.acceptPushpinRoute = accept;
      return this;
    }

    /**
     * Takes publishes on a ZeroMQ PULL socket bound to {@code spec} (for example
     * {@code tcp://127.0.0.1:5560}), in Pushpin's framings: {@code J} + JSON, {@code T} +
     * tnetstring, or a bare tnetstring item. Default: none. pushpin.conf {@code push_in_spec}.
     *
     * @param spec the endpoint to bind; {@code tcp://HOST:*} picks a free port (see
     *     {@link P8Server#zmqPullEndpoint()}). A later call replaces it
     * @return this builder
     * @throws IllegalArgumentException if {@code spec} is null or not a ZeroMQ endpoint starting
     *     {@code tcp://}, {@code ipc://} or {@code inproc://}
     */
    public Builder zmqPull(String spec) {
      this.zmqPull = requireSpec("zmqPull", spec);
      return this;
    }

    /**
     * Takes publishes on a ZeroMQ SUB socket, bound to {@code spec} or, with
     * {@link #zmqSubConnect(boolean)}, connected to it (several may be given). The socket
     * subscribes only to channels that have subscribers here, so a publisher's XPUB socket sends
     * this instance only what it needs. Default: none. pushpin.conf {@code push_in_sub_specs}.
     *
     * @param spec the endpoint to bind, or to connect to with {@link #zmqSubConnect(boolean)};
     *     each call adds one to the same socket
     * @return this builder
     * @throws IllegalArgumentException if {@code spec} is null or not a ZeroMQ endpoint starting
     *     {@code tcp://}, {@code ipc://} or {@code inproc://}
     */
    public Builder zmqSub(String spec) {
      this.zmqSub.add(requireSpec("zmqSub", spec));
      return this;
    }

    /**
     * Whether the SUB socket connects to the {@link #zmqSub(String)} specs (to publishers' XPUB
     * sockets) instead of binding them. Default false. pushpin.conf {@code push_in_sub_connect}.
     *
     * @param connect true to connect to every {@link #zmqSub(String)} spec; false, the default,
     *     binds them
     * @return this builder
     */
    public Builder zmqSubConnect(boolean connect) {
      this.zmqSubConnect = connect;
      return this;
    }

    /**
     * How long a published item whose {@code prev-id} is not its channel's last id waits for
     * its predecessor before it goes out anyway. Default 5 s. pushpin.conf {@code message_wait}
     * (milliseconds).
     *
     * @param wait how long an out-of-order item waits, at least 1 ms; default 5 s
     * @return this builder
     * @throws IllegalArgumentException if {@code wait} is null or under 1 ms
     */
    public Builder messageWait(Duration wait) {
      if (wait == null || wait.toMillis() < 1) {
        throw new IllegalArgumentException("messageWait must be at least 1 ms, was " + wait);
      }
      this.messageWait = wait;
      return this;
    }

    /**
     * How long a published {@code id} is remembered per channel, so that a repeat is dropped.
     * Default 60 s; zero turns de-duplication off. pushpin.conf {@code id_cache_ttl} (seconds).
     *
     * @param ttl how long an id is remembered, zero or more; zero turns de-duplication off
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is null or negative
     */
    public Builder idCacheTtl(Duration ttl) {
      if (ttl == null || ttl.isNegative()) {
        throw new IllegalArgumentException("idCacheTtl must be zero or more, was " + ttl);
      }
      this.idCacheTtl = ttl;
      return this;
    }

    /** For tests: the first wait before a failed next link is fetched again (Pushpin's 1 s). */
    Builder linkRetryDelay(Duration delay) {
      this.linkRetryDelay = delay;
      return this;
    }

    /**
     * Whether, about a second after a channel gets its first subscriber, every long-poll on it
     * is sent to its backend again (with {@code Grip-Last} where it has a prev-id). This covers
     * an item published while the subscription was still on its way to the publishers; it also
     * means a long-poll on a channel of its own is asked twice (Pushpin issue #47646). Default
     * on. pushpin.conf {@code [handler] update_on_first_subscription}.
     *
     * @param enabled true, the default, to ask the backend again after a first subscription;
     *     false never does
     * @return this builder
     */
    public Builder updateOnFirstSubscription(boolean enabled) {
      this.updateOnFirstSubscription = enabled;
      return this;
    }

    /**
     * How long a channel stays listened to after its last long-poll left: the ZeroMQ SUB
     * subscription and the channel's last published id are kept, so a client that polls again
     * at once does not make the subscription flap, and its prev-id is still checked. Streams
     * and WebSockets leave at once. Default 60 s; zero turns lingering off. pushpin.conf
     * {@code [handler] subscription_linger} (seconds).
     *
     * @param linger how long an idle channel stays listened to, zero or more; zero ends it as
     *     the last long-poll leaves
     * @return this builder
     * @throws IllegalArgumentException if {@code linger} is null or negative
     */
    public Builder subscriptionLinger(Duration linger) {
      if (linger == null || linger.isNegative()) {
        throw new IllegalArgumentException("subscriptionLinger must be zero or more, was " + linger);
      }
      this.subscriptionLinger = linger;
      return this;
    }

    /**
     * The most deliveries queued for the I/O threads and not yet run, across all of them; one
     * delivery is one published item for the subscribers of a channel on one I/O thread. Past
     * it, a publish is dropped for the subscribers it cannot queue, with a warning, so a
     * publisher faster than the connections cannot grow memory without bound. Default 25,000.
     * Deliveries waiting for {@link #messageRate(int)} count too. pushpin.conf
     * {@code [handler] message_hwm} (Pushpin counts per route bucket; P8 counts one bound for
     * everything that waits).
     *
     * @param max the most queued deliveries, across all I/O threads, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is less than 1
     */
    public Builder messageHwm(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("messageHwm must be at least 1, was " + max);
      }
      this.messageHwm = max;
      return this;
    }

    /**
     * The most deliveries per second, across channels, counting one per subscriber: an item
     * published to a channel with 100 subscribers uses 100. What is over the rate waits, in
     * publish order, and goes out as the rate allows; a burst of 25 ms worth goes at once. What
     * waits counts against {@link #messageHwm(int)}, past which publishes are dropped with a
     * warning. Default 0: no limit, and then publishing pays nothing for the option.
     * pushpin.conf {@code [handler] message_rate} (Pushpin's shipped config says 2500; zero or
     * less there means no limit, as in Pushpin).
     *
     * @param perSecond deliveries per second, or 0 for no limit
     * @return this builder
     * @throws IllegalArgumentException if {@code perSecond} is negative
     */
    public Builder messageRate(int perSecond) {
      if (perSecond < 0) {
        throw new IllegalArgumentException("messageRate must be 0 (no limit) or more, was " + perSecond);
      }
      this.messageRate = perSecond;
      return this;
    }

    /**
     * Answers Pushpin's ZeroMQ command socket protocol (ZRPC over REP) on {@code spec}:
     * {@code conncheck}, {@code get-zmq-uris}, {@code recover}, {@code refresh} and
     * {@code publish}. Default: none (the standalone server binds
     * {@code tcp://127.0.0.1:5563}, as Pushpin does). pushpin.conf {@code command_spec}.
     *
     * @param spec the endpoint to bind the REP socket to; {@code tcp://HOST:*} picks a free port
     *     (see {@link P8Server#zmqCommandEndpoint()}). A later call replaces it
     * @return this builder
     * @throws IllegalArgumentException if {@code spec} is null or not a ZeroMQ endpoint starting
     *     {@code tcp://}, {@code ipc://} or {@code inproc://}
     */
    public Builder zmqCommand(String spec) {
      this.zmqCommand = requireSpec("zmqCommand", spec);
      return this;
    }

    private static String requireSpec(String option, String spec) {
      if (spec == null || !spec.matches("(tcp|ipc|inproc)://.+")) {
        throw new IllegalArgumentException(option + " must be a ZeroMQ endpoint such as tcp://127.0.0.1:5560, was "
            + spec);
      }
      return spec;
    }

    /**
     * Adds an event listener; several may be added, and they are called in the order added.
     * See {@link P8Listener} for the threads it is called on and what it must not do. Default:
     * none, and then no event costs anything.
     *
     * @param listener the listener; it must be thread safe, quick and never block, since it is
     *     called on I/O threads
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(P8Listener listener) {
      eventListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Serves the built-in metrics in Prometheus' text format on {@code host:port}, on any path.
     * May be given more than once (Pushpin has one endpoint in {@code [proxy]} and one in
     * {@code [handler]}); each serves all the metrics. Port 0 picks a free port
     * ({@link P8Server#prometheusPort()}). Default: none. pushpin.conf {@code prometheus_port}.
     *
     * @param host the address to bind; the endpoint has no authentication
     * @param port the port, 0-65535, or 0 for any free port; a port in use fails
     *     {@link P8Server#start()}, naming it
     * @return this builder
     * @throws IllegalArgumentException if {@code host} is null or blank, or {@code port} is
     *     outside 0-65535
     */
    public Builder prometheusListener(String host, int port) {
      prometheusListeners.add(InetSocketAddress.createUnresolved(requireHost("prometheus host", host),
          requirePort("prometheus port", port)));
      return this;
    }

    /**
     * Puts {@code prefix} before every metric name, for example {@code pushpin_}. Default empty.
     * pushpin.conf {@code prometheus_prefix}.
     *
     * @param prefix the prefix, or empty for none; it needs a
     *     {@link #prometheusListener(String, int)}, else {@link #build()} throws
     *     {@link IllegalStateException}
     * @return this builder
     * @throws IllegalArgumentException unless the prefix is empty or a Prometheus name
     *     ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}); null included
     */
    public Builder prometheusPrefix(String prefix) {
      if (prefix == null || !prefix.matches("([a-zA-Z_:][a-zA-Z0-9_:]*)?")) {
        throw new IllegalArgumentException("prometheusPrefix must be empty or a Prometheus metric name"
            + " ([a-zA-Z_:][a-zA-Z0-9_:]*), was " + (prefix == null ? null : "\"" + prefix + "\""));
      }
      this.prometheusPrefix = prefix;
      return this;
    }

    /**
     * Sends Pushpin's stats packets ({@code activity}, {@code message}, {@code conn},
     * {@code sub}, {@code report}) on a ZeroMQ PUB socket bound to {@code spec}, such as
     * {@code ipc:///run/pushpin/pushpin-stats} or {@code tcp://127.0.0.1:*}. If it cannot be
     * bound, the server logs why and runs without stats. Default: none. pushpin.conf
     * {@code stats_spec}.
     *
     * @param spec the endpoint to bind the PUB socket to, at {@link P8Server#start()}; a
     *     {@code tcp} port {@code *} picks a free one (see {@link P8Server#statsEndpoint()}).
     *     A later call replaces it
     * @return this builder
     * @throws IllegalArgumentException if {@code spec} is null or not a ZeroMQ endpoint starting
     *     {@code tcp://}, {@code ipc://} or {@code inproc://}
     */
    public Builder stats(String spec) {
      this.stats = requireSpec("stats", spec);
      return this;
    }

    /**
     * The encoding of stats packet bodies: {@code tnetstring} ({@code T} prefix) or
     * {@code json} ({@code J}). Default {@code tnetstring}. pushpin.conf {@code stats_format}.
     *
     * @param format {@code "tnetstring"} or {@code "json"}, exactly; it needs
     *     {@link #stats(String)}, else {@link #build()} throws {@link IllegalStateException}
     * @return this builder
     * @throws IllegalArgumentException for any other value
     * @throws NullPointerException     if {@code format} is null
     */
    public Builder statsFormat(String format) {
      this.statsFormat = switch (Objects.requireNonNull(format, "statsFormat")) {
        case "tnetstring" -> StatsPublisher.Format.TNETSTRING;
        case "json" -> StatsPublisher.Format.JSON;
        default -> throw new IllegalArgumentException("statsFormat must be tnetstring or json, was \""
            + format + "\"");
      };
      return this;
    }

    /**
     * How often a stats {@code report} packet is sent. Default 10 s. pushpin.conf
     * {@code stats_report_interval} (seconds).
     *
     * @param interval the time between reports, at least 1 ms; it needs
     *     {@link #stats(String)}, else {@link #build()} throws {@link IllegalStateException}
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is null or under 1 ms
     */
    public Builder statsReportInterval(Duration interval) {
      if (interval == null || interval.toMillis() < 1) {
        throw new IllegalArgumentException("statsReportInterval must be at least 1 ms, was " + interval);
      }
      this.statsReportInterval = interval;
      return this;
    }

    /**
     * Whether a stats {@code conn} packet is sent for each client connection that opens and
     * closes (and again before its 120 s TTL runs out). Default true. pushpin.conf
     * {@code stats_connection_send}.
     *
     * @param send true, the default, to send {@code conn} packets; false sends none. Either way
     *     it needs {@link #stats(String)}, else {@link #build()}
     *     throws {@link IllegalStateException}
     * @return this builder
     */
    public Builder statsConnectionSend(boolean send) {
      this.statsConnectionSend = send;
      return this;
    }

    /**
     * Applies auto cross-origin (CORS headers and JSON-P) to every route, as the route option
     * {@code aco} does for one. Default false. pushpin.conf {@code auto_cross_origin}.
     *
     * @param enabled true to treat every route as having {@code aco}; false, the default,
     *     leaves it to each route's options
     * @return this builder
     */
    public Builder autoCrossOrigin(boolean enabled) {
      this.autoCrossOrigin = enabled;
      return this;
    }

    /**
     * The most client connections open at once; past it, new connections wait in the listen
     * backlog. Default 50,000. pushpin.conf {@code client_maxconn}.
     *
     * @param connections the most open client connections, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code connections} is less than 1
     */
    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * Turns on debug mode: error responses carry the reason (pushpin.conf {@code debug}).
     *
     * @param debug true to put the reason in 502 bodies instead of {@code Error while proxying to
     *     origin.}; false, the default, keeps backend details from clients
     * @return this builder
     */
    public Builder debug(boolean debug) {
      this.debug = debug;
      return this;
    }

    /**
     * Sets the limits on what peers control; see {@link Limits}.
     *
     * @param limits every limit at once, replacing those set before; default
     *     {@link Limits#defaults()}. To change one, start from {@link Limits#builder()}
     * @return this builder
     * @throws NullPointerException if {@code limits} is null
     */
    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * How long to wait for a backend to connect and send its response headers; default 30 s.
     *
     * @param timeout the time allowed for connecting and the response headers together,
     *     positive; past it the client gets a 502
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is null, zero or negative
     */
    public Builder backendTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("backendTimeout must be positive, was " + timeout);
      }
      this.backendTimeout = timeout;
      return this;
    }

    /**
     * The number of I/O threads; default the number of cores, at least 2.
     *
     * @param threads the number of I/O threads, which own client and backend connections, at
     *     least 1; Undertow's worker pool gets as many, at least 2
     * @return this builder
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1, was " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * The publisher of the server this builder builds, for an application that needs one before
     * {@link #build()}: an in-process origin's handler is given to the builder, so it exists
     * before the server, and can take this publisher in its constructor.
     *
     * <pre>{@code
     * P8Server.Builder builder = P8Server.builder();
     * MyApp app = new MyApp(builder.publisher());
     * P8Server p8 = builder.route("*", app).build().start();
     * }</pre>
     *
     * @return the same publisher on every call, thread safe: once {@link #build()} has run it
     *     publishes as {@link P8Server#publisher()} of the server built last; before, its stages
     *     fail with a {@link PublishException} saying the server is not built
     */
    public Publisher publisher() {
      return publisher;
    }

    /**
     * Validates the whole configuration and returns a server that has not started.
     *
     * @return a new server; call {@link P8Server#start()} to bind its listeners, or mount its
     *     handlers elsewhere
     * @throws IllegalStateException    if options conflict
     * @throws IllegalArgumentException if the routes file cannot be read or parsed (naming its
     *                                  line), or a route's {@code sig_key} cannot be used
     */
    public P8Server build() {
      if (controlListener != null) {
        for (InetSocketAddress a : listeners) {
          if (a.getPort() != 0 && a.getPort() == controlListener.getPort()
              && sameOrWildcard(a.getHostString(), controlListener.getHostString())) {
            throw new IllegalStateException("client listener " + a.getHostString() + ":" + a.getPort()
                + " and control listener " + controlListener.getHostString() + ":" + controlListener.getPort()
                + " use the same port; give them different ports");
          }
        }
      }
      if (routesFile != null && !routes.isEmpty()) {
        throw new IllegalStateException("routesFile and route(...) were both given; use one of them");
      }
      for (Route r : routes) {
        for (Target t : r.targets()) {
          if (t.isInProcess() && !origins.containsKey(t.host())) {
            throw new IllegalStateException("route '" + r + "' targets in-process origin " + t.host()
                + ", but no origin is registered under that name; call origin(\"" + t.host() + "\", handler)");
          }
        }
      }
      if (prometheusPrefix != null && !prometheusPrefix.isEmpty() && prometheusListeners.isEmpty()) {
        throw new IllegalStateException("prometheusPrefix was given without prometheusListener; add the listener"
            + " or drop the prefix");
      }
      if (stats == null && (statsFormat != null || statsReportInterval != null || statsConnectionSend != null)) {
        throw new IllegalStateException("statsFormat, statsReportInterval or statsConnectionSend was given"
            + " without stats(spec); add the stats socket or drop them");
      }
      Forwarding forwarding = new Forwarding(xff, xffTrusted, acceptForwardedProto, setForwardedProto,
          setForwardedProtocol, cdnLoop, acceptPushpinRoute, upstreamKey);
      EngineConfig config = new EngineConfig(List.copyOf(routes), routesFile, sigIssuer, sigKey, debug,
          limits, backendTimeout, forwarding, autoCrossOrigin, maxConnections,
          zmqPull == null && zmqSub.isEmpty() && zmqCommand == null ? null
              : new EngineConfig.ZmqInputs(zmqPull, List.copyOf(zmqSub), zmqSubConnect, zmqCommand),
          messageWait, idCacheTtl, linkRetryDelay, updateOnFirstSubscription, subscriptionLinger, messageHwm,
          messageRate, List.copyOf(eventListeners),
          prometheusListeners.isEmpty() ? null : prometheusPrefix == null ? "" : prometheusPrefix,
          stats == null ? null : new EngineConfig.Stats(stats,
              statsFormat == null ? StatsPublisher.Format.TNETSTRING : statsFormat,
              statsReportInterval == null ? DEFAULT_STATS_REPORT_INTERVAL : statsReportInterval,
              statsConnectionSend == null || statsConnectionSend));
      P8Server server = new P8Server(this, new Engine(config, origins));
      publisher.target = server.publisher();
      return server;
    }

    private static boolean sameOrWildcard(String a, String b) {
      return a.equals(b) || a.equals("0.0.0.0") || b.equals("0.0.0.0") || a.equals("::") || b.equals("::");
    }

    private static String requireHost(String option, String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException(option + " must not be empty");
      }
      return host;
    }

    private static int requirePort(String option, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(option + " must be 0-65535, was " + port);
      }
      return port;
    }
  }

  /** Publishes through the server a builder built, once it has built one. */
  private static final class BuilderPublisher implements Publisher {
    private volatile Publisher target;

    @Override
    public CompletionStage<Void> publish(List<Item> items) {
      Publisher t = target;
      if (t == null) {
        Objects.requireNonNull(items, "items");
        return CompletableFuture.failedStage(new PublishException(
            "the server is not built yet: publish through Builder.publisher() after build()"));
      }
      return t.publish(items);
    }
  }
}
