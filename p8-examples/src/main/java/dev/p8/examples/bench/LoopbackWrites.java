package dev.p8.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under every delivery: the CPU one small write to a loopback TCP socket costs this
 * machine, with nothing but a reader on the other end. One thread writes a 120-byte message to
 * each of N sockets in turn, as a fan-out does; another thread reads them all through a
 * selector, as a load generator does. Prints the writing thread's CPU per write, split into
 * user and system time.
 *
 * <pre>
 * java -cp p8-examples/target/p8.jar dev.p8.examples.bench.LoopbackWrites [--sockets 10,1000,5000]
 * </pre>
 *
 * <p>On a loopback socket the sender's system call also runs the receiver's side of TCP and
 * wakes the reader, so this is what a proxy pays per delivery before any code of its own.
 */
public final class LoopbackWrites {

  private static final int MESSAGE_BYTES = 120;
  private static final int WRITES_PER_SIZE = 200_000;

  private LoopbackWrites() {}

  /**
   * Runs the measurement.
   *
   * @param args {@code --sockets} and a comma-separated list of socket counts
   * @throws Exception if the sockets cannot be set up
   */
  public static void main(String[] args) throws Exception {
    int[] sizes = {10, 1000, 5000};
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--sockets") && i + 1 < args.length) {
        String[] parts = args[++i].split(",");
        sizes = new int[parts.length];
        for (int j = 0; j < parts.length; j++) {
          sizes[j] = Integer.parseInt(parts[j].trim());
        }
      } else {
        System.err.println("usage: LoopbackWrites [--sockets 10,1000,5000]");
        System.exit(2);
      }
    }
    System.out.println("| sockets | CPU per write (µs) | user | system |");
    System.out.println("|---:|---:|---:|---:|");
    for (int n : sizes) {
      double[] r = measure(n);
      System.out.printf(Locale.ROOT, "| %,d | %.1f | %.1f | %.1f |%n", n, r[0] + r[1], r[0], r[1]);
    }
  }

  /** Returns {user, system} microseconds of the writing thread per write. */
  private static double[] measure(int n) throws IOException, InterruptedException {
    try (ServerSocketChannel server = ServerSocketChannel.open(); Selector selector = Selector.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0), n);
      List<SocketChannel> writers = new ArrayList<>(n);
      List<SocketChannel> readers = new ArrayList<>(n);
      try {
        for (int i = 0; i < n; i++) {
          SocketChannel reader = SocketChannel.open(server.getLocalAddress());
          readers.add(reader);
          SocketChannel writer = server.accept();
          writer.setOption(StandardSocketOptions.TCP_NODELAY, true);
          writers.add(writer);
          reader.configureBlocking(false);
          reader.register(selector, SelectionKey.OP_READ);
        }
        Thread reader = new Thread(() -> drain(selector), "loopback-reader");
        reader.setDaemon(true);
        reader.start();
        ByteBuffer message = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        message.put(new byte[MESSAGE_BYTES]).flip();
        int rounds = Math.max(2, WRITES_PER_SIZE / n);
        // The first half warms the JIT and the socket buffers; the second half is measured.
        writeRounds(writers, message, rounds / 2);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long user0 = mx.getCurrentThreadUserTime();
        long writes = writeRounds(writers, message, rounds - rounds / 2);
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long user = mx.getCurrentThreadUserTime() - user0;
        reader.interrupt();
        selector.wakeup();
        return new double[] {user / 1e3 / writes, (cpu - user) / 1e3 / writes};
      } finally {
        for (SocketChannel c : writers) {
          c.close();
        }
        for (SocketChannel c : readers) {
          c.close();
        }
      }
    }
  }

  private static long writeRounds(List<SocketChannel> writers, ByteBuffer message, int rounds) throws IOException {
    long writes = 0;
    for (int r = 0; r < rounds; r++) {
      for (SocketChannel w : writers) {
        message.rewind();
        w.write(message);
        writes++;
      }
      // A pause between rounds, as between publishes, so that the reader goes back to waiting.
      LockSupport.parkNanos(1_000_000);
    }
    return writes;
  }

  private static void drain(Selector selector) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    try {
      while (!Thread.currentThread().isInterrupted()) {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          buffer.clear();
          ((SocketChannel) key.channel()).read(buffer);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | RuntimeException e) {
      // The sockets closed under the reader: the measurement is over.
    }
  }
}
