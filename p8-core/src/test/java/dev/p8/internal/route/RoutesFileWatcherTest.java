package dev.p8.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.route.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesFileWatcherTest {

  @TempDir
  Path dir;

  private final List<List<Route>> loaded = new ArrayList<>();

  /** Writes the file and moves its clock on, so the change is seen whatever the mtime grain. */
  private void write(Path file, String text, int second) throws Exception {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + second)));
  }

  @Test
  void passesOnTheRoutesOfEachGoodChangeAndKeepsTheOldOnABadOne() throws Exception {
    Path file = dir.resolve("routes");
    write(file, "* a:1\n", 0);
    RoutesFileWatcher watcher = new RoutesFileWatcher(file, loaded::add);

    assertThat(watcher.poll()).as("unchanged").isFalse();

    write(file, "* b:2\n", 1);
    assertThat(watcher.poll()).isTrue();
    assertThat(loaded).containsExactly(List.of(Route.parse("* b:2")));

    write(file, "* b:2\n*,path_beg=/x\n", 2);
    assertThat(watcher.poll()).as("a bad line keeps the old routes").isFalse();
    assertThat(watcher.poll()).as("and is reported once").isFalse();

    write(file, "* c:3\n", 3);
    assertThat(watcher.poll()).isTrue();
    assertThat(loaded).hasSize(2).last().isEqualTo(List.of(Route.parse("* c:3")));
  }

  @Test
  void followsAFileReplacedByRenameAndSurvivesItsDeletion() throws Exception {
    Path file = dir.resolve("routes");
    write(file, "* a:1\n", 0);
    RoutesFileWatcher watcher = new RoutesFileWatcher(file, loaded::add);

    Files.delete(file);
    assertThat(watcher.poll()).isFalse();
    assertThat(loaded).isEmpty();

    Path staged = dir.resolve("routes.new");
    write(staged, "* new:1\n", 5);
    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE);
    assertThat(watcher.poll()).isTrue();
    assertThat(loaded).containsExactly(List.of(Route.parse("* new:1")));
  }

  @Test
  void aCallbackThatThrowsDoesNotStopWatching() throws Exception {
    Path file = dir.resolve("routes");
    write(file, "* a:1\n", 0);
    RoutesFileWatcher watcher = new RoutesFileWatcher(file, routes -> {
      throw new IllegalStateException("boom");
    });
    write(file, "* b:1\n", 1);

    assertThat(watcher.poll()).isFalse();
  }

  @Test
  void loadNamesTheFileAndLine() throws Exception {
    Path file = dir.resolve("routes");
    write(file, "# comment\n* a:1\n* \"open\n", 0);

    assertThatThrownBy(() -> RoutesFileWatcher.load(file))
        .isInstanceOf(RoutesFileException.class).hasMessageStartingWith(file + ":3: ");
    assertThatThrownBy(() -> RoutesFileWatcher.load(dir.resolve("none")))
        .hasMessageStartingWith(dir.resolve("none") + ":0: cannot read the file");
  }

  @Test
  void pushpinsExampleRoutesFileLoads() throws Exception {
    // examples/config/routes from Pushpin's repository, unchanged.
    Path file = dir.resolve("routes");
    Files.writeString(file, "* test\n");

    List<Route> routes = RoutesFileWatcher.load(file);

    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).targets().get(0).isTest()).isTrue();
  }
}
