package dev.p8.internal.route;

import dev.p8.route.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when a routes file changes and hands the new routes on, as Pushpin reloads its routes
 * file about a second after it changes.
 *
 * <p>Polling the modification time and size, rather than a {@code WatchService}, also follows a
 * file that is replaced by a rename (how editors and configuration tools save) or through a
 * symbolic link that is repointed (how Kubernetes updates a mounted ConfigMap), both of which a
 * directory watch misses or reports on the wrong name. A file that cannot be read or parsed keeps
 * the routes in force: the reason, with its line number, is logged once per change.
 *
 * <p>{@link #poll()} is meant to be called from one thread at a time, such as a single scheduler
 * thread; the callback runs on that thread.
 */
public final class RoutesFileWatcher {

  private static final Logger log = LoggerFactory.getLogger(RoutesFileWatcher.class);

  private final Path file;
  private final Consumer<List<Route>> onChange;
  private Stamp last;

  private record Stamp(long modifiedMillis, long size, Object key) { }

  /**
   * Creates a watcher that takes the file as it is now as the state already loaded.
   *
   * @param file     the routes file
   * @param onChange receives the routes of each good new version of the file
   */
  public RoutesFileWatcher(Path file, Consumer<List<Route>> onChange) {
    this.file = Objects.requireNonNull(file, "file");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.last = stamp();
  }

  /**
   * Reads the file, as for {@link RoutesFile#parse}.
   *
   * @param file the routes file
   * @return its routes
   * @throws RoutesFileException for a bad line, or (with line 0) when it cannot be read
   */
  public static List<Route> load(Path file) throws RoutesFileException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RoutesFileException(file.toString(), 0, "cannot read the file: " + e, e);
    }
    return RoutesFile.parse(text, file.toString());
  }

  /**
   * Checks the file once and, if it changed since the last check and parses, passes its routes
   * on.
   *
   * @return true when new routes were passed on
   */
  public boolean poll() {
    Stamp now = stamp();
    if (Objects.equals(now, last)) {
      return false;
    }
    last = now;
    if (now == null) {
      log.warn("routes file {} is gone; keeping the current routes", file);
      return false;
    }
    List<Route> routes;
    try {
      routes = load(file);
    } catch (RoutesFileException e) {
      log.warn("routes file changed but cannot be used, keeping the current routes: {}",
          e.getMessage());
      return false;
    }
    log.info("routes file {} changed: {} routes loaded", file, routes.size());
    try {
      onChange.accept(routes);
    } catch (RuntimeException e) {
      log.warn("applying the new routes from {} failed", file, e);
      return false;
    }
    return true;
  }

  private Stamp stamp() {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      log.debug("cannot read the attributes of {}", file, e);
      return null;
    }
  }
}
