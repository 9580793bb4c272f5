package dev.p8.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Measures what a held stream and a delivery cost a P8 process: it starts P8 standalone in a
 * child JVM with the built-in {@code test} route, opens N streams on one channel from a single
 * NIO thread, then publishes M messages through the control API and waits until every stream
 * has every message. The P8 process's CPU time and resident memory are read from
 * {@code /proc}, so the load generator's own cost is not counted.
 *
 * <pre>
 * java -cp p8-examples/target/p8.jar dev.p8.examples.bench.HoldBenchmark [streams] [messages]
 * </pre>
 */
public final class HoldBenchmark {

  private static final int PORT = 17999;
  private static final int CONTROL_PORT = 15561;

  private HoldBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optional: the number of streams (default 5000) and of messages (default 20)
   * @throws Exception when the child process or a socket fails
   */
  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    List<String> command = List.of(javaBin, "-Xms64m", "-Xmx1g", "-XX:+UseSerialGC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, "dev.p8.examples.P8Main",
        "--port", "127.0.0.1:" + PORT, "--route", "* test");
    Process p8 = new ProcessBuilder(command).inheritIO().start();
    // --port sets the client port; the control port is pushpin's default, moved by --id
    try {
      awaitPort(PORT);
      awaitPort(5561);
      long pid = p8.pid();
      long rssBefore = rssBytes(pid);
      long cpuBefore = cpuNanos(pid);

      Selector selector = Selector.open();
      List<SocketChannel> channels = new ArrayList<>(streams);
      byte[] request = ("GET /stream?channel=bench HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < streams; i++) {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", PORT));
        ch.write(ByteBuffer.wrap(request));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new long[1]);
        channels.add(ch);
      }
      String marker = "[stream open";
      long opened = countUntil(selector, streams, marker, 1, 60_000);
      long cpuOpen = cpuNanos(pid);
      long rssOpen = rssBytes(pid);

      String payload = "data: benchmark message payload\n\n";
      long publishStart = System.nanoTime();
      for (int m = 0; m < messages; m++) {
        publish("{\"items\":[{\"channel\":\"bench\",\"formats\":{\"http-stream\":{\"content\":\"" + payload.replace("\n", "\\n") + "\"}}}]}");
      }
      long delivered = countUntil(selector, streams, "benchmark message", messages, 120_000);
      long elapsed = System.nanoTime() - publishStart;
      long cpuEnd = cpuNanos(pid);

      System.out.printf(Locale.ROOT, "streams opened            %d of %d%n", opened, streams);
      System.out.printf(Locale.ROOT, "memory per held stream    %.1f KiB (RSS growth %d MiB)%n",
          (rssOpen - rssBefore) / 1024.0 / streams, (rssOpen - rssBefore) >> 20);
      System.out.printf(Locale.ROOT, "CPU per stream opened     %.1f us%n", (cpuOpen - cpuBefore) / 1000.0 / streams);
      System.out.printf(Locale.ROOT, "deliveries                %d of %d in %.0f ms%n", delivered, (long) streams * messages, elapsed / 1e6);
      System.out.printf(Locale.ROOT, "CPU per delivery          %.2f us%n", (cpuEnd - cpuOpen) / 1000.0 / Math.max(1, delivered));
      for (SocketChannel ch : channels) {
        ch.close();
      }
      selector.close();
    } finally {
      p8.destroy();
      p8.waitFor();
    }
  }

  private static void publish(String json) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:5561/publish").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = c.getOutputStream()) {
      out.write(json.getBytes(StandardCharsets.UTF_8));
    }
    try (InputStream in = c.getInputStream()) {
      in.readAllBytes();
    }
    if (c.getResponseCode() != 200) {
      throw new IOException("publish answered " + c.getResponseCode());
    }
  }

  /** Reads every socket until each has seen {@code perStream} occurrences of the marker. */
  private static long countUntil(Selector selector, int streams, String marker, int perStream, long timeoutMillis)
      throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long deadline = System.currentTimeMillis() + timeoutMillis;
    long total = 0;
    for (SelectionKey k : selector.keys()) {
      ((long[]) k.attachment())[0] = 0;
    }
    int done = 0;
    while (done < streams && System.currentTimeMillis() < deadline) {
      selector.select(100);
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey k = it.next();
        it.remove();
        long[] seen = (long[]) k.attachment();
        buf.clear();
        int n = ((SocketChannel) k.channel()).read(buf);
        if (n <= 0) {
          continue;
        }
        long before = seen[0];
        seen[0] += occurrences(buf.array(), n, needle);
        total += seen[0] - before;
        if (before < perStream && seen[0] >= perStream) {
          done++;
        }
      }
    }
    return total;
  }

  private static int occurrences(byte[] data, int length, byte[] needle) {
    int count = 0;
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      count++;
    }
    return count;
  }

  private static void awaitPort(int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        return;
      } catch (IOException e) {
        Thread.sleep(50); // polling a child process's port: there is no event to wait on
      }
    }
    throw new IllegalStateException("P8 did not open port " + port);
  }

  private static long cpuNanos(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * 10_000_000L;
  }

  private static long rssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

}
