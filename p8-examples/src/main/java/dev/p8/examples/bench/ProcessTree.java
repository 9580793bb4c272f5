package dev.p8.examples.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory of a process and all its descendants, read from /proc. Pushpin
 * runs as several processes (runner, connection manager, proxy, handler), so only the whole
 * tree is a fair count.
 */
final class ProcessTree {

  private static final long NANOS_PER_TICK = 10_000_000L;

  private final long root;

  ProcessTree(long root) {
    this.root = root;
  }

  List<Long> pids() throws IOException {
    Map<Long, List<Long>> children = new HashMap<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException e) {
          continue;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long pid = Long.parseLong(p.getFileName().toString());
        children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(pid);
      }
    }
    List<Long> all = new ArrayList<>();
    List<Long> queue = new ArrayList<>(List.of(root));
    while (!queue.isEmpty()) {
      long pid = queue.remove(queue.size() - 1);
      all.add(pid);
      queue.addAll(children.getOrDefault(pid, List.of()));
    }
    return all;
  }

  /** User plus system CPU time of the tree, in nanoseconds. */
  long cpuNanos() throws IOException {
    long ticks = 0;
    for (long pid : pids()) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException e) {
        // the process ended between the listing and the read
      }
    }
    return ticks * NANOS_PER_TICK;
  }

  /** CPU time by thread name over the tree, in nanoseconds: where a figure comes from. */
  Map<String, Long> cpuByThread() throws IOException {
    Map<String, Long> byName = new java.util.TreeMap<>();
    for (long pid : pids()) {
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : tasks) {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          byName.merge(name + " user", Long.parseLong(f[11]) * NANOS_PER_TICK, Long::sum);
          byName.merge(name + " sys", Long.parseLong(f[12]) * NANOS_PER_TICK, Long::sum);
        }
      } catch (IOException e) {
        // the process ended between the listing and the read
      }
    }
    return byName;
  }

  /** Resident memory of the tree, in bytes. */
  long rssBytes() throws IOException {
    long total = 0;
    for (long pid : pids()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException e) {
        // the process ended between the listing and the read
      }
    }
    return total;
  }
}
