package dev.p8;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins the public surface of p8-core: every public type outside the {@code internal}
 * packages, as found in the compiled classes, must be listed in {@code api.txt} beside this
 * test, and everything listed there must exist. A new public type, or one made public by
 * accident, fails the build until {@code api.txt} changes with it, so API changes show in review.
 */
class PublicApiTest {

  @Test
  void thePublicTypesAreTheListedOnes() throws Exception {
    List<String> expected = new ArrayList<>();
    try (InputStream in = PublicApiTest.class.getResourceAsStream("api.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          expected.add(line.strip());
        }
      }
    }
    List<String> actual = publicTypes();
    Path dump = Paths.get("target", "api-actual.txt");
    Files.write(dump, actual, StandardCharsets.UTF_8);
    List<String> added = new ArrayList<>(actual);
    added.removeAll(expected);
    List<String> removed = new ArrayList<>(expected);
    removed.removeAll(actual);
    assertThat(added.isEmpty() && removed.isEmpty())
        .as("the public API of p8-core changed. New: %s. Gone: %s. If that is intended, copy %s"
            + " over src/test/resources/dev/p8/api.txt", added, removed, dump.toAbsolutePath())
        .isTrue();
  }

  /** Lines such as {@code class dev.p8.publish.Item}, sorted by type name. */
  private static List<String> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Paths.get(dev.p8.publish.Item.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TreeSet<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String relative = classes.relativize(file).toString().replace('\\', '/');
        if (relative.endsWith(".class") && !relative.endsWith("package-info.class")
            && !relative.endsWith("module-info.class") && !relative.contains("/internal/")) {
          names.add(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'));
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String name : names) {
      Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
      if (isExported(type)) {
        out.add(kind(type) + " " + type.getName());
      }
    }
    out.sort((a, b) -> a.substring(a.indexOf(' ')).compareTo(b.substring(b.indexOf(' '))));
    return out;
  }

  private static boolean isExported(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static String kind(Class<?> type) {
    if (type.isAnnotation()) {
      return "annotation";
    }
    if (type.isInterface()) {
      return "interface";
    }
    if (type.isEnum()) {
      return "enum";
    }
    if (type.isRecord()) {
      return "record";
    }
    return Modifier.isFinal(type.getModifiers()) ? "final-class" : "class";
  }
}
