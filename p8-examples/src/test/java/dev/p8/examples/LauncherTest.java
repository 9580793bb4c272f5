package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher script and the benchmark run P8 with the same JVM options. */
class LauncherTest {

  @Test
  void launcherUsesTheRecommendedJvmOptions() throws Exception {
    String script = Files.readString(Path.of("bin", "p8"));
    assertThat(script).contains("${P8_JAVA_OPTS:-" + P8Main.RECOMMENDED_JVM_OPTIONS + "}");
  }
}
