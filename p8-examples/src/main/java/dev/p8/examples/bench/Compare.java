package dev.p8.examples.bench;

import dev.p8.examples.P8Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Runs the same scenarios against P8 and against Pushpin, one after the other on this machine,
 * with the same pushpin.conf (Pushpin's shipped one, {@code message_rate} and
 * {@code message_hwm} removed so that its engine is measured, not its throttle) and the same
 * single route to {@link BenchBackend}. CPU time and memory are those of the server's whole
 * process tree, read from /proc; the load generator and the backend are not counted.
 *
 * <pre>
 * java -cp p8-examples/target/p8.jar dev.p8.examples.bench.Compare [--quick] [--no-pushpin]
 *     [--streams 1000,10000,19000] [--fanout 1000,10000] [--only streams,fanout,throughput,pass,longpoll,ws]
 * </pre>
 *
 * <p>{@code bench/compare.sh} installs Pushpin, builds P8 and runs this.
 */
public final class Compare {

  static final int PORT = 17999;
  static final int CONTROL_PORT = 15561;

  private Compare() {}

  /** One server under test: started as a child process, measured through its process tree. */
  abstract static class Server implements AutoCloseable {
    final String name;
    Process process;
    ProcessTree tree;

    Server(String name) {
      this.name = name;
    }

    abstract List<String> command(Path config);

    Server start(Path config) throws Exception {
      // A fresh run directory: Pushpin's IPC sockets from the previous start must not linger.
      Path run = config.resolveSibling("run");
      if (Files.exists(run)) {
        try (var files = Files.list(run)) {
          for (Path f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
      }
      process = new ProcessBuilder(command(config)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(config.resolveSibling(name + ".log").toFile())).start();
      tree = new ProcessTree(process.pid());
      awaitPort(PORT);
      awaitPort(CONTROL_PORT);
      return this;
    }

    long cpu() throws IOException {
      return tree.cpuNanos();
    }

    @Override
    public void close() throws Exception {
      List<Long> pids = tree.pids();
      ProcessHandle.of(pids.get(0)).ifPresent(ProcessHandle::destroy);
      process.waitFor(20, TimeUnit.SECONDS);
      for (long pid : pids) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      process.waitFor();
      for (int port : new int[] {PORT, CONTROL_PORT}) {
        awaitClosed(port);
      }
    }
  }

  static final class P8 extends Server {
    P8() {
      super("P8");
    }

    @Override
    List<String> command(Path config) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // -Dp8.jvm="..." replaces the recommended options, for a profiler or to try others.
      String extra = System.getProperty("p8.jvm", P8Main.RECOMMENDED_JVM_OPTIONS).trim();
      if (!extra.isEmpty()) {
        command.addAll(List.of(extra.split("\\s+")));
      }
      command.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          "-cp", System.getProperty("java.class.path"), "dev.p8.examples.P8Main", "--config", config.toString()));
      return command;
    }
  }

  static final class Pushpin extends Server {
    Pushpin() {
      super("Pushpin");
    }

    @Override
    List<String> command(Path config) {
      return List.of("pushpin", "--config", config.toString());
    }
  }

  /** What one run measures, and how to judge the ratio. */
  record Goal(String metric, boolean lowerIsBetter, double bound) {
    String describe() {
      return Double.isNaN(bound) ? "" : (lowerIsBetter ? "<= " : ">= ") + fmt(bound);
    }

    boolean met(double ratio) {
      return Double.isNaN(bound) || (lowerIsBetter ? ratio <= bound : ratio >= bound);
    }
  }

  static final Map<String, Goal> GOALS = new LinkedHashMap<>();

  static void goal(String metric, boolean lowerIsBetter, double bound) {
    GOALS.put(metric, new Goal(metric, lowerIsBetter, bound));
  }

  static final double NONE = Double.NaN;

  /**
   * Runs the comparison.
   *
   * @param args see the class comment
   * @throws Exception when a server cannot start or a socket fails
   */
  public static void main(String[] args) throws Exception {
    List<Integer> streams = List.of(1000, 10_000, 19_000);
    List<Integer> fanout = List.of(1000, 10_000);
    List<String> only = List.of("streams", "fanout", "throughput", "pass", "longpoll", "ws");
    boolean quick = false;
    int messages = 0;
    boolean withPushpin = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--streams" -> streams = ints(args[++i]);
        case "--fanout" -> fanout = ints(args[++i]);
        case "--only" -> only = List.of(args[++i].split(","));
        case "--quick" -> quick = true;
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        case "--no-pushpin" -> withPushpin = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (quick) {
      streams = List.of(1000);
      fanout = List.of(1000);
    }
    Scale scale = quick ? new Scale(5, 20, 2, 3, 200, 3) : new Scale(20, 100, 3, 10, 500, 10);
    if (messages > 0) {
      scale = new Scale(messages, scale.throughputRounds(), scale.warmupSeconds(), scale.seconds(),
          scale.longPollMessages(), scale.wsSeconds());
    }
    Path dir = Files.createTempDirectory("p8-compare");
    Map<String, Map<String, Double>> results = new LinkedHashMap<>();
    List<Server> servers = new ArrayList<>(List.of(new P8()));
    if (withPushpin) {
      servers.add(new Pushpin());
    }
    try (BenchBackend backend = new BenchBackend()) {
      Path config = writeConfig(dir, backend.port());
      Scale sc = scale;
      List<Scenario> scenarios = new ArrayList<>();
      if (only.contains("streams")) {
        for (int n : streams) {
          scenarios.add((s, r) -> heldStreams(s, n, r));
        }
      }
      if (only.contains("fanout")) {
        for (int n : fanout) {
          scenarios.add((s, r) -> fanOut(s, n, sc.fanoutMessages, r));
        }
      }
      if (only.contains("throughput")) {
        scenarios.add((s, r) -> throughput(s, 1000, sc.throughputRounds, r));
      }
      if (only.contains("pass")) {
        scenarios.add((s, r) -> passThrough(s, 64, sc.warmupSeconds, sc.seconds, r));
      }
      if (only.contains("longpoll")) {
        scenarios.add((s, r) -> {
          backend.forget();
          longPoll(s, backend, 500, sc.longPollMessages, r);
        });
      }
      if (only.contains("ws")) {
        scenarios.add((s, r) -> webSocketEcho(s, 32, sc.warmupSeconds, sc.wsSeconds, r));
      }
      for (Server server : servers) {
        results.put(server.name, new LinkedHashMap<>());
      }
      // Each scenario against every server before the next scenario: this machine's speed
      // drifts by up to half within an hour, and side by side the drift falls on both alike.
      for (Scenario scenario : scenarios) {
        for (Server server : servers) {
          System.out.println("== " + server.name);
          try (Server s = server.start(config)) {
            scenario.run(s, results.get(server.name));
          }
        }
      }
    }
    print(results);
    System.out.println("(configs and server logs: " + dir + ")");
  }

  /** One measurement against a freshly started server. */
  private interface Scenario {
    void run(Server server, Map<String, Double> results) throws Exception;
  }

  record Scale(int fanoutMessages, int throughputRounds, int warmupSeconds, int seconds,
      int longPollMessages, int wsSeconds) { }

  private static List<Integer> ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }

  /** Pushpin's own shipped config where installed, made to listen on the bench ports. */
  static Path writeConfig(Path dir, int backendPort) throws IOException {
    Path shipped = Path.of("/etc/pushpin/pushpin.conf");
    List<String> lines = Files.exists(shipped) ? Files.readAllLines(shipped) : List.of(
        "[global]", "include={libdir}/internal.conf", "rundir=run", "[runner]", "http_port=7999",
        "[proxy]", "routesfile=routes", "[handler]", "push_in_http_port=5561");
    List<String> out = new ArrayList<>();
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("log"));
    for (String line : lines) {
      String key = line.contains("=") ? line.substring(0, line.indexOf('=')).trim() : "";
      switch (key) {
        case "rundir" -> out.add("rundir=" + dir.resolve("run"));
        case "logdir" -> out.add("logdir=" + dir.resolve("log"));
        case "http_port" -> out.add("http_port=" + PORT);
        case "push_in_http_port" -> out.add("push_in_http_port=" + CONTROL_PORT);
        case "routesfile" -> out.add("routesfile=routes");
        // Debian's Pushpin expects zurl, its HTTP client, as a system service; run it under
        // Pushpin's runner instead, with its sockets in this run directory.
        case "services" -> out.add("services=condure,zurl,pushpin-proxy,pushpin-handler");
        case "message_rate", "message_hwm" -> { }
        default -> out.add(line);
      }
      if (line.trim().equals("[proxy]")) {
        out.add("zurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in");
        out.add("zurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream");
        out.add("zurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out");
      }
    }
    Path config = dir.resolve("pushpin.conf");
    Files.write(config, out);
    Files.writeString(dir.resolve("routes"), "* 127.0.0.1:" + backendPort + ",over_http\n");
    return config;
  }

  // Scenarios.

  static {
    goal("CPU per stream opened (us)", true, 0.1);
    goal("memory per held stream (KiB)", true, 0.2);
    goal("memory in all (MiB) [10000 streams]", true, 0.5);
    goal("CPU per stream closed (us)", true, NONE);
  }

  /**
   * Memory comes from a fresh server: its first n streams, with no warm-up to grow the heap in
   * advance and hide what they cost. CPU comes from a second round of n streams on the same
   * server, once the JIT has compiled the path: the steady state a long-running proxy lives in.
   */
  private static void heldStreams(Server server, int n, Map<String, Double> r) throws Exception {
    settle(server);
    long rss0 = server.tree.rssBytes();
    String at = " [" + n + " streams]";
    Load held = new Load();
    long opened = holdStreams(held, n, "held-");
    settle(server);
    long rss1 = server.tree.rssBytes();
    r.put("streams opened" + at, (double) opened);
    r.put("memory per held stream (KiB)" + at, (rss1 - rss0) / 1024.0 / opened);
    r.put("memory in all (MiB)" + at, rss1 / 1048576.0);
    System.out.printf(Locale.ROOT, "%s: %d streams: %d opened%n", server.name, n, opened);
    // Every client hangs up at once, as when a load balancer in front restarts.
    long closeCpu0 = server.cpu();
    held.close();
    settle(server);
    r.put("CPU per stream closed (us)" + at, (server.cpu() - closeCpu0) / 1000.0 / opened);
    warmUp(server);
    settle(server);
    long cpu0 = server.cpu();
    Map<String, Long> threads0 = server.tree.cpuByThread();
    try (Load load = new Load()) {
      long again = holdStreams(load, n, "again-");
      settle(server);
      long cpu1 = server.cpu();
      printThreads(server, threads0);
      r.put("CPU per stream opened (us)" + at, (cpu1 - cpu0) / 1000.0 / again);
    }
  }

  /** Opens n streams on channels named prefix + index; returns how many opened (at least 1). */
  private static long holdStreams(Load load, int n, String prefix) throws IOException {
    List<Load.StreamConn> conns = openStreams(load, n, "[stream opened]", i -> "/stream?channel=" + prefix + i);
    load.runUntil(() -> conns.stream().allMatch(c -> c.seen >= 1 || c.closed), 120_000);
    return Math.max(1, conns.stream().filter(c -> c.seen >= 1 && !c.closed).count());
  }

  static {
    goal("last subscriber p50 (ms)", true, NONE);
    goal("last subscriber p99 (ms)", true, 0.2);
    goal("CPU per delivery (us)", true, 0.125);
    goal("messages lost", true, NONE);
  }

  private static void fanOut(Server server, int n, int messages, Map<String, Double> r) throws Exception {
    warmUp(server);
    try (Load load = new Load()) {
      List<Load.StreamConn> conns = openStreams(load, n, "fan-out message", i -> "/stream?channel=fan");
      awaitOpened(load, conns);
      settle(server);
      long cpu0 = server.cpu();
      Map<String, Long> threads0 = server.tree.cpuByThread();
      long[] latencies = new long[messages];
      for (int m = 0; m < messages; m++) {
        long t0 = System.nanoTime();
        publish("{\"items\":[{\"channel\":\"fan\",\"formats\":{\"http-stream\":{\"content\":\"fan-out message\\n\"}}}]}");
        final long want = m + 1;
        load.runUntil(() -> conns.stream().allMatch(c -> c.seen >= want || c.closed), 60_000);
        latencies[m] = System.nanoTime() - t0;
      }
      long cpu1 = server.cpu();
      printThreads(server, threads0);
      long delivered = conns.stream().mapToLong(c -> Math.min(c.seen, messages)).sum();
      Arrays.sort(latencies);
      String at = " [fan-out to " + n + "]";
      r.put("last subscriber p50 (ms)" + at, latencies[latencies.length / 2] / 1e6);
      r.put("last subscriber p99 (ms)" + at, percentile(latencies, 0.99) / 1e6);
      r.put("CPU per delivery (us)" + at, (cpu1 - cpu0) / 1000.0 / Math.max(1, delivered));
      r.put("messages lost" + at, (double) ((long) n * messages - delivered));
    }
  }

  /**
   * Opens streams a hundred at a time, each batch after the previous one's first bytes arrived:
   * what is measured is the cost of a held stream, not how a proxy takes a burst of thousands
   * of connections at once (Pushpin answers part of such a burst with 502).
   */
  private static List<Load.StreamConn> openStreams(Load load, int n, String marker, java.util.function.IntFunction<String> path)
      throws IOException {
    List<Load.StreamConn> conns = new ArrayList<>(n);
    for (int i = 0; i < n; i += 100) {
      List<Load.StreamConn> batch = new ArrayList<>();
      for (int j = i; j < Math.min(n, i + 100); j++) {
        batch.add(load.connect(PORT, new Load.StreamConn(marker), Load.get(path.apply(j))));
      }
      load.runUntil(() -> batch.stream().allMatch(c -> c.bytes > 0 || c.closed), 30_000);
      conns.addAll(batch);
    }
    return conns;
  }

  /**
   * A JVM compiles its hot code in the first seconds of work, a native server does not need to:
   * open, feed and close a couple of thousand streams first, so that what is measured is the
   * steady state a long-running proxy lives in. Pushpin gets the same treatment.
   */
  private static void warmUp(Server server) throws Exception {
    for (int round = 0; round < 4; round++) {
      try (Load load = new Load()) {
        List<Load.StreamConn> conns = openStreams(load, 2000, "warm\n",
            i -> "/stream?channel=warm-" + (i < 1000 ? i % 10 : i));
        for (int m = 1; m <= 5; m++) {
          publish("{\"items\":[" + java.util.stream.IntStream.range(0, 10).mapToObj(i ->
              "{\"channel\":\"warm-" + i + "\",\"formats\":{\"http-stream\":{\"content\":\"warm\\n\"}}}")
              .collect(java.util.stream.Collectors.joining(",")) + "]}");
          final int want = m;
          // Only the first thousand, on ten shared channels, get these.
          load.runUntil(() -> conns.subList(0, 1000).stream().allMatch(c -> c.seen >= want || c.closed), 30_000);
        }
      }
    }
  }

  /** A publish before a stream's first bytes arrived could be missed: wait for them all. */
  private static void awaitOpened(Load load, List<Load.StreamConn> conns) throws IOException {
    if (!load.runUntil(() -> conns.stream().allMatch(c -> c.bytes > 0 && !c.closed), 1_000)) {
      System.out.println("only " + conns.stream().filter(c -> c.bytes > 0).count() + " of " + conns.size()
          + " streams opened");
    }
  }

  static {
    goal("deliveries per second", false, 4);
    goal("CPU per delivery, 1000 channels (us)", true, 0.125);
    goal("throughput messages lost", true, NONE);
  }

  private static void throughput(Server server, int channels, int rounds, Map<String, Double> r) throws Exception {
    warmUp(server);
    try (Load load = new Load()) {
      List<Load.StreamConn> conns = openStreams(load, channels, "tp\n", i -> "/stream?channel=tp-" + i);
      awaitOpened(load, conns);
      settle(server);
      StringBuilder batch = new StringBuilder("{\"items\":[");
      for (int i = 0; i < channels; i++) {
        batch.append(i == 0 ? "" : ",").append("{\"channel\":\"tp-").append(i)
            .append("\",\"formats\":{\"http-stream\":{\"content\":\"tp\\n\"}}}");
      }
      String body = batch.append("]}").toString();
      long cpu0 = server.cpu();
      long t0 = System.nanoTime();
      AtomicBoolean failed = new AtomicBoolean();
      Thread publisher = new Thread(() -> {
        try {
          for (int i = 0; i < rounds; i++) {
            publish(body);
          }
        } catch (IOException e) {
          failed.set(true);
          System.out.println("publish failed: " + e);
        }
      });
      publisher.start();
      long want = (long) channels * rounds;
      load.runUntil(() -> conns.stream().mapToLong(c -> c.seen).sum() >= want, 60_000);
      long elapsed = System.nanoTime() - t0;
      publisher.join();
      long cpu1 = server.cpu();
      long delivered = conns.stream().mapToLong(c -> c.seen).sum();
      r.put("deliveries per second", delivered / (elapsed / 1e9));
      r.put("CPU per delivery, 1000 channels (us)", (cpu1 - cpu0) / 1000.0 / Math.max(1, delivered));
      r.put("throughput messages lost", (double) (want - delivered));
    }
  }

  static {
    goal("pass-through requests per second", false, 10);
    goal("CPU per pass-through request (us)", true, 0.1);
    goal("pass-through errors", true, NONE);
  }

  private static void passThrough(Server server, int concurrency, int warmup, int seconds, Map<String, Double> r)
      throws Exception {
    byte[] request = Load.get("/pass");
    try (Load load = new Load()) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Load.ExchangeConn> conns = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        conns.add(load.connect(PORT, new Load.ExchangeConn() {
          @Override
          byte[] response(int status, byte[] body) {
            return stop.get() ? null : request;
          }
        }, request));
      }
      Period p = measure(server, load, warmup, seconds, () -> conns.stream().mapToLong(c -> c.exchanges).sum(),
          () -> conns.stream().mapToLong(c -> c.errors).sum());
      stop.set(true);
      r.put("pass-through requests per second", p.perSecond());
      r.put("CPU per pass-through request (us)", p.cpuMicrosPerUnit());
      r.put("pass-through errors", (double) p.errors());
    }
  }

  static {
    goal("long-polls per second", false, NONE);
    goal("CPU per long-poll (us)", true, 0.1);
    goal("long-poll push latency p99 (ms)", true, 0.5);
    goal("long-poll errors", true, NONE);
    goal("long-poll messages lost", true, NONE);
  }

  /**
   * Long-poll clients that lose nothing if the proxy loses nothing: each asks for what came after
   * the last message it has without a gap, and the backend answers at once when it has more.
   */
  private static void longPoll(Server server, BenchBackend backend, int clients, int messages, Map<String, Double> r)
      throws Exception {
    warmUp(server);
    long[] publishedAt = new long[messages + 1];
    List<Long> latencies = new ArrayList<>();
    final class PollConn extends Load.ExchangeConn {
      final BitSet seen = new BitSet();
      int contiguous;

      byte[] next() {
        return Load.get("/poll?channel=lp&after=" + contiguous);
      }

      @Override
      byte[] response(int status, byte[] body) {
        long now = System.nanoTime();
        if (status == 200) {
          for (String line : new String(body, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("msg ")) {
              int id = Integer.parseInt(line.substring(4).trim());
              if (!seen.get(id)) {
                seen.set(id);
                synchronized (latencies) {
                  latencies.add(now - publishedAt[id]);
                }
              }
            }
          }
          while (seen.get(contiguous + 1)) {
            contiguous++;
          }
        }
        return contiguous >= messages ? null : next();
      }
    }
    try (Load load = new Load()) {
      List<PollConn> conns = new ArrayList<>();
      for (int i = 0; i < clients; i += 100) {
        List<PollConn> batch = new ArrayList<>();
        for (int j = i; j < Math.min(clients, i + 100); j++) {
          PollConn c = new PollConn();
          batch.add(load.connect(PORT, c, c.next()));
        }
        // The first polls are held once the backend has answered them all.
        settle(server);
        conns.addAll(batch);
      }
      // Every client has its first poll held before the first publish, or it sees it at once anyway.
      settle(server);
      Map<String, Long> threads0 = server.tree.cpuByThread();
      long cpu0 = server.cpu();
      long t0 = System.nanoTime();
      AtomicLong publishErrors = new AtomicLong();
      Thread publisher = new Thread(() -> {
        for (int id = 1; id <= messages; id++) {
          publishedAt[id] = System.nanoTime();
          backend.remember("lp", id);
          try {
            // Numbered, so that a long-poll held with an older prev-id is asked again.
            publish("{\"items\":[{\"channel\":\"lp\",\"id\":\"" + id + "\""
                + (id > 1 ? ",\"prev-id\":\"" + (id - 1) + "\"" : "")
                + ",\"formats\":{\"http-response\":{\"body\":\"msg " + id + "\\n\"}}}]}");
            // A steady rate, 50 a second: the published figure is a rate, not a burst.
            long next = t0 + id * 20_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
          } catch (IOException e) {
            publishErrors.incrementAndGet();
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      publisher.start();
      load.runUntil(() -> !publisher.isAlive() && conns.stream().allMatch(c -> c.contiguous >= messages || c.closed),
          messages * 20L + 30_000);
      double elapsed = (System.nanoTime() - t0) / 1e9;
      publisher.join();
      long cpu1 = server.cpu();
      printThreads(server, threads0);
      long polls = conns.stream().mapToLong(c -> c.exchanges).sum();
      long lost = conns.stream().mapToLong(c -> messages - c.seen.cardinality()).sum();
      long[] lat;
      synchronized (latencies) {
        lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      }
      r.put("long-polls per second", polls / elapsed);
      r.put("CPU per long-poll (us)", (cpu1 - cpu0) / 1000.0 / Math.max(1, polls));
      r.put("long-poll push latency p99 (ms)", lat.length == 0 ? Double.NaN : percentile(lat, 0.99) / 1e6);
      r.put("long-poll errors", (double) conns.stream().mapToLong(c -> c.errors).sum() + publishErrors.get());
      r.put("long-poll messages lost", (double) lost);
    }
  }

  static {
    goal("WebSocket-over-HTTP round trips per second", false, 3);
    goal("CPU per WebSocket-over-HTTP round trip (us)", true, 0.1);
    goal("WebSocket errors", true, NONE);
  }

  private static void webSocketEcho(Server server, int clients, int warmup, int seconds, Map<String, Double> r)
      throws Exception {
    try (Load load = new Load()) {
      List<Load.WebSocketConn> conns = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        conns.add(load.connect(PORT, new Load.WebSocketConn("echo me"), Load.WebSocketConn.handshake("/ws")));
      }
      Period p = measure(server, load, warmup, seconds, () -> conns.stream().mapToLong(c -> c.roundTrips).sum(),
          () -> 0);
      conns.forEach(c -> c.stop = true);
      r.put("WebSocket-over-HTTP round trips per second", p.perSecond());
      r.put("CPU per WebSocket-over-HTTP round trip (us)", p.cpuMicrosPerUnit());
      r.put("WebSocket errors", (double) conns.stream().mapToLong(c -> c.errors).sum());
    }
  }

  // Plumbing.

  /** Units of work done, server CPU spent and time taken over one measured period. */
  record Period(long units, long cpuNanos, double seconds, long errors) {
    double perSecond() {
      return units / seconds;
    }

    double cpuMicrosPerUnit() {
      return cpuNanos / 1000.0 / Math.max(1, units);
    }
  }

  /** Runs the load for {@code warmup} seconds, then measures it for {@code seconds}. */
  private static Period measure(Server server, Load load, int warmup, int seconds, LongSupplier units,
      LongSupplier errors) throws IOException {
    runFor(load, warmup);
    long n0 = units.getAsLong();
    long e0 = errors.getAsLong();
    long cpu0 = server.cpu();
    long t0 = System.nanoTime();
    runFor(load, seconds);
    long n1 = units.getAsLong();
    long cpu1 = server.cpu();
    return new Period(n1 - n0, cpu1 - cpu0, (System.nanoTime() - t0) / 1e9, errors.getAsLong() - e0);
  }

  private static void runFor(Load load, int seconds) throws IOException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    load.runUntil(() -> System.nanoTime() > end, seconds * 2000L);
  }

  /** With -Dbench.threads=true, where the server's CPU went since {@code before}, by thread. */
  private static void printThreads(Server server, Map<String, Long> before) throws IOException {
    if (!Boolean.getBoolean("bench.threads")) {
      return;
    }
    server.tree.cpuByThread().forEach((name, nanos) -> {
      long spent = nanos - before.getOrDefault(name, 0L);
      if (spent > 0) {
        System.out.printf(Locale.ROOT, "  %-30s %8.0f ms%n", name, spent / 1e6);
      }
    });
  }

  private static void waitSeconds(int seconds) throws InterruptedException {
    Thread.sleep(seconds * 1000L); // a benchmark measuring over a fixed period, not a test awaiting an event
  }

  static long percentile(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }

  /** Lets the server finish what it was doing (GC, JIT, logging) before CPU is read. */
  private static void settle(Server server) throws Exception {
    long before = server.cpu();
    for (int i = 0; i < 50; i++) {
      Thread.sleep(200); // a benchmark waiting for an idle server, not a test waiting for an event
      long now = server.cpu();
      if (now == before) {
        return;
      }
      before = now;
    }
  }

  static void publish(String json) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + CONTROL_PORT + "/publish/").toURL()
        .openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = c.getOutputStream()) {
      out.write(json.getBytes(StandardCharsets.UTF_8));
    }
    if (c.getResponseCode() != 200) {
      throw new IOException("publish answered " + c.getResponseCode());
    }
    try (InputStream in = c.getInputStream()) {
      in.readAllBytes();
    }
  }

  static void awaitPort(int port) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        return;
      } catch (IOException e) {
        Thread.sleep(50); // polling a child process's port: there is no event to wait on
      }
    }
    throw new IllegalStateException("nothing listens on port " + port + " after 30 s");
  }

  static void awaitClosed(int port) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        Thread.sleep(50); // still listening; the child process is shutting down
      } catch (IOException e) {
        return;
      }
    }
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private static Goal goalOf(String metric) {
    if (GOALS.containsKey(metric)) {
      return GOALS.get(metric);
    }
    int bracket = metric.indexOf(" [");
    return GOALS.get(bracket < 0 ? metric : metric.substring(0, bracket));
  }

  private static void print(Map<String, Map<String, Double>> results) {
    Map<String, Double> p8 = results.get("P8");
    Map<String, Double> pushpin = results.getOrDefault("Pushpin", Map.of());
    System.out.println();
    System.out.println("| metric | P8 | Pushpin | P8 / Pushpin | goal | met |");
    System.out.println("|---|---:|---:|---:|---:|:-:|");
    for (Map.Entry<String, Double> e : p8.entrySet()) {
      Double other = pushpin.get(e.getKey());
      Goal goal = goalOf(e.getKey());
      double ratio = other == null || other == 0 ? Double.NaN : e.getValue() / other;
      String met = goal == null || Double.isNaN(goal.bound()) || Double.isNaN(ratio) ? ""
          : goal.met(ratio) ? "yes" : "NO";
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", e.getKey(), fmt(e.getValue()),
          other == null ? "" : fmt(other), fmt(ratio), goal == null ? "" : goal.describe(), met);
    }
  }
}
