package dev.p8.examples.bench;

import dev.p8.examples.P8Main;
import dev.p8.publish.HttpPublisher;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.publish.ZmqPublisher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Several P8 instances as separate processes, one publisher, one channel: how long until the
 * last subscriber across all instances has a message, and what each delivery costs the
 * instances in CPU, for each way of publishing to many instances (ZeroMQ XPUB with subscription
 * forwarding, ZeroMQ PUSH to every instance, HTTP to every instance's control API).
 *
 * <pre>
 * java -cp p8-examples/target/p8.jar dev.p8.examples.bench.ScaleOut [--instances 1,3]
 *     [--subscribers 3000] [--messages 50] [--modes xpub,push,http]
 * </pre>
 *
 * <p>Everything shares this machine's cores: the instances, the publisher and the load
 * generator. The latency figures therefore show the cost of the publish path and of the extra
 * hop, not what N machines would do; CPU per delivery is the figure that carries over.
 */
public final class ScaleOut {

  private static final int HTTP_BASE = 18000;
  private static final int CONTROL_BASE = 18100;
  private static final int PULL_BASE = 18200;
  private static final int SUB_BASE = 18300;
  private static final int COMMAND_BASE = 18400;
  private static final String MARKER = "scale-out message";

  private ScaleOut() {}

  /**
   * Runs the scenarios and prints one table.
   *
   * @param args see the class comment
   * @throws Exception when an instance does not start or the load generator fails
   */
  public static void main(String[] args) throws Exception {
    List<Integer> instances = List.of(1, 3);
    List<String> modes = List.of("xpub", "push", "http");
    int subscribers = 3000;
    int messages = 50;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--instances" -> instances = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("p8-scale-out");
    List<String> rows = new ArrayList<>();
    try (BenchBackend backend = new BenchBackend()) {
      Files.writeString(dir.resolve("routes"), "* 127.0.0.1:" + backend.port() + ",over_http\n");
      for (String mode : modes) {
        for (int n : instances) {
          rows.add(run(dir, mode, n, subscribers, messages));
        }
      }
    }
    System.out.println();
    System.out.println("| publisher | instances | subscribers | last subscriber p50 (ms) | p99 (ms) "
        + "| CPU per delivery (us) | burst deliveries/s | lost |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    System.out.println("(configs and logs: " + dir + ")");
  }

  private static String run(Path dir, String mode, int n, int subscribers, int messages) throws Exception {
    List<Instance> started = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        started.add(Instance.start(dir, i));
      }
      Publisher publisher = publisher(mode, n);
      try (Load load = new Load()) {
        List<Load.StreamConn> conns = new ArrayList<>(subscribers);
        for (int i = 0; i < subscribers; i += 100) {
          List<Load.StreamConn> batch = new ArrayList<>();
          for (int j = i; j < Math.min(subscribers, i + 100); j++) {
            batch.add(load.connect(HTTP_BASE + j % n, new Load.StreamConn(MARKER), Load.get("/stream?channel=fan")));
          }
          load.runUntil(() -> batch.stream().allMatch(c -> c.bytes > 0 || c.closed), 30_000);
          conns.addAll(batch);
        }
        // XPUB learns of each instance's subscription asynchronously; publish until every
        // subscriber has had one message, and count only what comes after.
        boolean synced = false;
        for (int attempt = 0; attempt < 50 && !synced; attempt++) {
          publisher.publish(Item.stream("fan", MARKER + "\n")).toCompletableFuture().get(10, TimeUnit.SECONDS);
          synced = load.runUntil(() -> conns.stream().allMatch(c -> c.seen >= 1 || c.closed), 500);
        }
        if (!synced) {
          throw new IllegalStateException(mode + " x" + n + ": not every subscriber got the first message");
        }
        // The JIT compiles the delivery path in the first few thousand deliveries: warm up with
        // one burst, unmeasured, so the figures are those of a long-running instance.
        burst(publisher, load, conns, messages);
        long[] base = conns.stream().mapToLong(c -> c.seen).toArray();
        settle(started);
        long cpu0 = cpu(started);
        long[] latencies = new long[messages];
        for (int m = 0; m < messages; m++) {
          long t0 = System.nanoTime();
          publisher.publish(Item.stream("fan", MARKER + "\n")).toCompletableFuture().get(10, TimeUnit.SECONDS);
          final int want = m + 1;
          load.runUntil(() -> allSeen(conns, base, want), 60_000);
          latencies[m] = System.nanoTime() - t0;
        }
        long delivered = delivered(conns, base, messages);
        long cpu1 = cpu(started);

        // A burst: messages published back to back, without waiting for deliveries.
        long t0 = System.nanoTime();
        long burstDelivered = burst(publisher, load, conns, messages);
        double burstSeconds = (System.nanoTime() - t0) / 1e9;

        Arrays.sort(latencies);
        long lost = (long) subscribers * messages * 2 - delivered - burstDelivered;
        String row = String.format(Locale.ROOT, "| %s | %d | %,d | %.1f | %.1f | %.1f | %,.0f | %d |", mode, n,
            subscribers, latencies[latencies.length / 2] / 1e6, Compare.percentile(latencies, 0.99) / 1e6,
            (cpu1 - cpu0) / 1000.0 / Math.max(1, delivered), burstDelivered / burstSeconds, lost);
        System.out.println(row);
        return row;
      } finally {
        if (publisher instanceof AutoCloseable c) {
          c.close();
        }
      }
    } finally {
      for (Instance instance : started) {
        instance.close();
      }
    }
  }

  private static long burst(Publisher publisher, Load load, List<Load.StreamConn> conns, int messages)
      throws Exception {
    long[] base = conns.stream().mapToLong(c -> c.seen).toArray();
    for (int m = 0; m < messages; m++) {
      publisher.publish(Item.stream("fan", MARKER + "\n")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    load.runUntil(() -> allSeen(conns, base, messages), 120_000);
    return delivered(conns, base, messages);
  }

  private static boolean allSeen(List<Load.StreamConn> conns, long[] base, int want) {
    for (int i = 0; i < conns.size(); i++) {
      Load.StreamConn c = conns.get(i);
      if (!c.closed && c.seen - base[i] < want) {
        return false;
      }
    }
    return true;
  }

  private static long delivered(List<Load.StreamConn> conns, long[] base, int messages) {
    long sum = 0;
    for (int i = 0; i < conns.size(); i++) {
      sum += Math.min(messages, conns.get(i).seen - base[i]);
    }
    return sum;
  }

  private static Publisher publisher(String mode, int n) {
    switch (mode) {
      case "xpub" -> {
        ZmqPublisher.Builder b = ZmqPublisher.builder();
        for (int i = 0; i < n; i++) {
          b.xpubConnect("tcp://127.0.0.1:" + (SUB_BASE + i));
        }
        return b.build();
      }
      case "push" -> {
        ZmqPublisher.Builder b = ZmqPublisher.builder();
        for (int i = 0; i < n; i++) {
          b.pushTo("tcp://127.0.0.1:" + (PULL_BASE + i));
        }
        return b.build();
      }
      case "http" -> {
        HttpPublisher.Builder b = HttpPublisher.builder();
        for (int i = 0; i < n; i++) {
          b.endpoint(URI.create("http://127.0.0.1:" + (CONTROL_BASE + i) + "/"));
        }
        return b.build();
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode + " (xpub, push or http)");
    }
  }

  private static long cpu(List<Instance> instances) throws IOException {
    long sum = 0;
    for (Instance i : instances) {
      sum += i.tree.cpuNanos();
    }
    return sum;
  }

  private static void settle(List<Instance> instances) throws Exception {
    long before = cpu(instances);
    for (int i = 0; i < 50; i++) {
      Thread.sleep(200); // a benchmark waiting for idle servers, not a test waiting for an event
      long now = cpu(instances);
      if (now == before) {
        return;
      }
      before = now;
    }
  }

  /** One P8 process with its own ports, started from the same runnable jar as this class. */
  private record Instance(int index, Process process, ProcessTree tree) implements AutoCloseable {

    static Instance start(Path dir, int index) throws Exception {
      Path config = dir.resolve("p8-" + index + ".conf");
      Files.createDirectories(dir.resolve("run-" + index));
      Files.write(config, List.of(
          "[global]", "rundir=" + dir.resolve("run-" + index),
          "[runner]", "http_port=" + (HTTP_BASE + index),
          "[proxy]", "routesfile=routes",
          "[handler]", "push_in_http_port=" + (CONTROL_BASE + index),
          "push_in_spec=tcp://127.0.0.1:" + (PULL_BASE + index),
          "push_in_sub_specs=tcp://127.0.0.1:" + (SUB_BASE + index),
          "command_spec=tcp://127.0.0.1:" + (COMMAND_BASE + index)));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String jvm = System.getProperty("p8.jvm", P8Main.RECOMMENDED_JVM_OPTIONS).trim();
      if (!jvm.isEmpty()) {
        command.addAll(List.of(jvm.split("\\s+")));
      }
      command.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
          System.getProperty("java.class.path"), "dev.p8.examples.P8Main", "--config", config.toString()));
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("p8-" + index + ".log").toFile())).start();
      Compare.awaitPort(HTTP_BASE + index);
      Compare.awaitPort(CONTROL_BASE + index);
      return new Instance(index, process, new ProcessTree(process.pid()));
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Compare.awaitClosed(HTTP_BASE + index);
    }
  }
}
