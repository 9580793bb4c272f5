package dev.p8.undertow;

import dev.p8.internal.config.CommandLine;
import dev.p8.internal.config.ConfigException;
import dev.p8.internal.config.ListenAddress;
import dev.p8.internal.config.PushpinConfig;
import dev.p8.route.Route;
import java.time.Duration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * P8 as a standalone program that takes Pushpin's command line and pushpin.conf, so it can
 * replace a Pushpin deployment:
 *
 * <pre>
 * java -jar p8.jar --config /etc/pushpin/pushpin.conf
 * java -jar p8.jar --port 7999 --route "* localhost:8080"
 * </pre>
 *
 * <p>Flags: {@code --config=FILE}, {@code --port=[addr:]port} (repeatable, replaces
 * {@code http_port}), {@code --route=LINE} (repeatable, replaces the routes file),
 * {@code --id=N}, {@code --verbose}, {@code --help}; {@code --flag value} works as well as
 * {@code --flag=value}. See {@code docs/configuration.md} for the pushpin.conf keys read.
 */
public final class Standalone {

  private Standalone() {}

  /**
   * Runs P8 until the process is told to stop.
   *
   * @param args the command line
   * @return the exit status: 0 after a clean stop or {@code --help}, 1 for bad arguments or
   *     configuration, 2 if the server could not start
   */
  public static int run(String... args) {
    CommandLine cl;
    try {
      cl = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("p8: " + e.getMessage());
      return 1;
    }
    if (cl.help()) {
      System.out.println(CommandLine.usage());
      return 0;
    }
    if (cl.verbose()) {
      // slf4j-simple reads this once, when the first logger is made; no logger exists yet.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
    }
    P8Server server;
    try {
      server = configure(cl).build();
    } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("p8: " + e.getMessage());
      return 1;
    }
    try {
      server.start();
    } catch (IllegalStateException e) {
      System.err.println("p8: " + e.getMessage());
      return 2;
    }
    banner(server, System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM ends held connections the way clients expect (a long-poll's timeout response,
      // a stream's last chunk, a WebSocket close 1001) so they reconnect, then stops.
      server.stop(Duration.ZERO);
      stopped.countDown();
    }, "p8-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop();
    }
    return 0;
  }

  /**
   * A ZeroMQ spec as Pushpin reads it: {@code {rundir}} and {@code {ipc_prefix}} expanded, and
   * the port offset added to a {@code tcp://} port.
   */
  static String zmqSpec(PushpinConfig config, String spec, int portOffset) {
    String s = spec.replace("{rundir}", config.resolve(config.get("global", "rundir", "run")).toString())
        .replace("{ipc_prefix}", config.get("global", "ipc_prefix", "pushpin-"));
    if (portOffset != 0 && s.startsWith("tcp://")) {
      int colon = s.lastIndexOf(':');
      if (colon > 5 && s.substring(colon + 1).matches("[0-9]+")) {
        s = s.substring(0, colon + 1) + (Integer.parseInt(s.substring(colon + 1)) + portOffset);
      }
    }
    return s;
  }

  /**
   * Makes a builder from Pushpin's command line and the pushpin.conf it names, without
   * starting anything.
   *
   * @param args the command line
   * @return a builder configured from them
   * @throws IllegalArgumentException for a bad flag or value
   * @throws ConfigException          for a bad config or routes file, naming the file and line
   */
  public static P8Server.Builder builder(String... args) throws ConfigException {
    return configure(CommandLine.parse(args));
  }

  static P8Server.Builder configure(CommandLine cl) throws ConfigException {
    Logger log = LoggerFactory.getLogger(Standalone.class);
    PushpinConfig config = cl.config().isPresent()
        ? PushpinConfig.load(cl.config().get())
        : PushpinConfig.parse("", Path.of("").toAbsolutePath(), "(defaults)");
    if (!config.unknownKeys().isEmpty()) {
      log.info("{}: accepted but not used by P8: {}", cl.config().map(Path::toString).orElse("config"),
          String.join(", ", config.unknownKeys()));
    }
    int portOffset = config.getInt("global", "port_offset", 0);
    if (cl.id().isPresent()) {
      portOffset = cl.id().getAsInt() * 10;
    }

    P8Server.Builder b = P8Server.builder();
    List<String> ports = cl.ports().isEmpty() ? config.getList("runner", "http_port") : cl.ports();
    if (ports.isEmpty()) {
      ports = List.of(String.valueOf(P8Server.DEFAULT_PORT));
    }
    for (String spec : ports) {
      ListenAddress a = ListenAddress.parse(spec, "0.0.0.0");
      b.listen(a.host(), a.port());
    }
    List<String> httpsPorts = config.getList("runner", "https_ports");
    if (!httpsPorts.isEmpty()) {
      // Pushpin looks for certificates in runner/certs beside its config file.
      Path certs = config.resolve("runner/certs");
      for (String spec : httpsPorts) {
        ListenAddress a = ListenAddress.parse(spec, "0.0.0.0");
        b.listenTls(a.host(), a.port(), certs);
      }
    }
    String controlHost = config.get("handler", "push_in_http_addr", P8Server.DEFAULT_CONTROL_HOST);
    int controlPort = config.getInt("handler", "push_in_http_port", P8Server.DEFAULT_CONTROL_PORT) + portOffset;
    b.controlListener(controlHost, controlPort);
    String pull = config.get("handler", "push_in_spec", "");
    if (!pull.isEmpty()) {
      b.zmqPull(zmqSpec(config, pull, portOffset));
    }
    for (String sub : config.getList("handler", "push_in_sub_specs")) {
      b.zmqSub(zmqSpec(config, sub, portOffset));
    }
    b.zmqSubConnect(config.getBoolean("handler", "push_in_sub_connect", false));
    b.messageWait(Duration.ofMillis(Math.max(1,
        config.getInt("handler", "message_wait", (int) P8Server.DEFAULT_MESSAGE_WAIT.toMillis()))));
    b.idCacheTtl(Duration.ofSeconds(Math.max(0,
        config.getInt("handler", "id_cache_ttl", (int) P8Server.DEFAULT_ID_CACHE_TTL.toSeconds()))));
    b.updateOnFirstSubscription(config.getBoolean("handler", "update_on_first_subscription",
        P8Server.DEFAULT_UPDATE_ON_FIRST_SUBSCRIPTION));
    b.messageHwm(config.getInt("handler", "message_hwm", P8Server.DEFAULT_MESSAGE_HWM));
    // Pushpin reads zero or less as no limit.
    b.messageRate(Math.max(0, config.getInt("handler", "message_rate", P8Server.DEFAULT_MESSAGE_RATE)));
    b.subscriptionLinger(Duration.ofSeconds(config.getInt("handler", "subscription_linger",
        (int) P8Server.DEFAULT_SUBSCRIPTION_LINGER.toSeconds())));
    String command = config.get("handler", "command_spec", "");
    if (!command.isEmpty()) {
      b.zmqCommand(zmqSpec(config, command, portOffset));
    }

    metrics(config, b, portOffset, log);

    if (!cl.routes().isEmpty()) {
      b.routes(commandLineRoutes(cl));
    } else {
      Path file = config.resolve(config.get("proxy", "routesfile", "routes"));
      if (Files.isRegularFile(file)) {
        b.routesFile(file);
      } else if (cl.config().isPresent()) {
        log.warn("routes file {} not found: every request will get 502 Route not found", file);
      }
    }

    String sigKey = config.get("proxy", "sig_key", "");
    if (!sigKey.isEmpty()) {
      b.signing(config.get("proxy", "sig_iss", P8Server.DEFAULT_SIG_ISSUER), keyFrom(config, sigKey));
    }
    String upstreamKey = config.get("proxy", "upstream_key", "");
    if (!upstreamKey.isEmpty()) {
      b.upstreamKey(keyFrom(config, upstreamKey));
    }
    b.debug(config.getBoolean("proxy", "debug", false));
    b.autoCrossOrigin(config.getBoolean("proxy", "auto_cross_origin", false));
    b.acceptPushpinRoute(config.getBoolean("proxy", "accept_pushpin_route", false));
    b.acceptXForwardedProto(config.getBoolean("proxy", "accept_x_forwarded_protocol", false));
    String xfProto = config.get("proxy", "set_x_forwarded_protocol", "");
    // Pushpin treats every value but these two as "none", without complaint.
    b.setXForwardedProto(xfProto.equals("true") || xfProto.equals("proto-only") ? xfProto : "false");
    b.xForwardedFor(config.get("proxy", "x_forwarded_for", ""));
    b.xForwardedForTrusted(config.get("proxy", "x_forwarded_for_trusted", ""));
    b.cdnLoop(config.get("proxy", "cdn_loop", ""));
    b.maxConnections(config.getInt("runner", "client_maxconn", P8Server.DEFAULT_MAX_CONNECTIONS));

    Limits.Builder limits = Limits.builder()
        .maxPublishBodyBytes(config.getInt("handler", "push_in_http_max_body_size", Limits.DEFAULT_MAX_PUBLISH_BODY_BYTES))
        .maxRequestHeaderBytes(config.getInt("runner", "client_buffer_size", Limits.DEFAULT_MAX_REQUEST_HEADER_BYTES))
        .maxChannelsPerConnection(config.getInt("handler", "connection_subscription_max",
            Limits.DEFAULT_MAX_CHANNELS_PER_CONNECTION));
    b.limits(limits.build());
    List<String> unread = config.unreadKeys();
    if (!unread.isEmpty()) {
      // Said once, at start: these are Pushpin's, P8 accepts them, and they change nothing here.
      log.info("{}: accepted but not applied by P8 (Pushpin's own processes, logging or options P8"
          + " does not have; see docs/configuration.md): {}", cl.config().map(Path::toString).orElse("config"),
          String.join(", ", unread));
    }
    return b;
  }

  /**
   * Prometheus endpoints and the stats socket. Pushpin runs proxy and handler as two processes,
   * each with its own {@code prometheus_port}; P8 is one process, so each given port serves
   * every metric.
   */
  private static void metrics(PushpinConfig config, P8Server.Builder b, int portOffset, Logger log)
      throws ConfigException {
    List<String> seen = new ArrayList<>();
    for (String section : List.of("proxy", "handler")) {
      String port = config.get(section, "prometheus_port", "").strip();
      if (port.isEmpty() || seen.contains(port)) {
        continue;
      }
      seen.add(port);
      if (port.startsWith("ipc://")) {
        log.warn("[{}] prometheus_port {}: P8 serves Prometheus over TCP only; this endpoint is skipped",
            section, port);
        continue;
      }
      ListenAddress a;
      try {
        a = ListenAddress.parse(port, "0.0.0.0");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[" + section + "] prometheus_port: " + e.getMessage(), e);
      }
      b.prometheusListener(a.host(), a.port());
    }
    String proxyPrefix = config.get("proxy", "prometheus_prefix", "");
    String handlerPrefix = config.get("handler", "prometheus_prefix", "");
    if (!proxyPrefix.isEmpty() && !handlerPrefix.isEmpty() && !proxyPrefix.equals(handlerPrefix)) {
      log.warn("[proxy] prometheus_prefix ({}) and [handler] prometheus_prefix ({}) differ; P8 serves one set"
          + " of metrics and uses the [proxy] one", proxyPrefix, handlerPrefix);
    }
    String prefix = proxyPrefix.isEmpty() ? handlerPrefix : proxyPrefix;
    if (!seen.isEmpty() && !prefix.isEmpty()) {
      try {
        b.prometheusPrefix(prefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("prometheus_prefix: " + e.getMessage(), e);
      }
    }

    String stats = config.get("handler", "stats_spec", "").strip();
    if (!stats.isEmpty()) {
      b.stats(zmqSpec(config, stats, portOffset));
      try {
        b.statsFormat(config.get("handler", "stats_format", "tnetstring").strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[handler] stats_format: " + e.getMessage(), e);
      }
      int interval = config.getInt("handler", "stats_report_interval",
          config.getInt("proxy", "stats_report_interval", (int) P8Server.DEFAULT_STATS_REPORT_INTERVAL.toSeconds()));
      if (interval < 1) {
        throw new IllegalArgumentException("stats_report_interval must be at least 1 (seconds), was " + interval);
      }
      b.statsReportInterval(Duration.ofSeconds(interval));
      b.statsConnectionSend(config.getBoolean("global", "stats_connection_send", true));
    }
  }

  private static List<Route> commandLineRoutes(CommandLine cl) {
    List<Route> routes = new ArrayList<>();
    for (String line : cl.routes()) {
      try {
        routes.add(Route.parse(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--route \"" + line + "\": " + e.getMessage(), e);
      }
    }
    return routes;
  }

  /** A {@code file:} key is relative to the config file's directory, as in Pushpin. */
  private static String keyFrom(PushpinConfig config, String key) {
    return key.startsWith("file:") ? "file:" + config.resolve(key.substring(5)) : key;
  }

  static void banner(P8Server server, PrintStream out) {
    out.println("P8 listening for clients on port " + server.port()
        + (server.tlsPort() > 0 ? ", TLS on port " + server.tlsPort() : "")
        + (server.controlPort() > 0 ? ", control API (publish) on port " + server.controlPort() : ""));
    if (server.zmqPullEndpoint() != null) {
      out.println("  ZeroMQ publish input (PULL): " + server.zmqPullEndpoint());
    }
    if (server.zmqCommandEndpoint() != null) {
      out.println("  ZeroMQ commands: " + server.zmqCommandEndpoint());
    }
    if (server.prometheusPort() > 0) {
      out.println("  Prometheus metrics on port " + server.prometheusPort());
    }
    if (server.statsEndpoint() != null) {
      out.println("  ZeroMQ stats (PUB): " + server.statsEndpoint());
    }
    List<Route> routes = server.routes();
    if (routes.isEmpty()) {
      out.println("  no routes: every request gets 502 Route not found");
    }
    for (Route r : routes) {
      out.println("  route: " + r);
    }
  }
}
