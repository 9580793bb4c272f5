package dev.p8.undertow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every option a user can set is in docs/configuration.md, so the table cannot fall behind. */
class DocsTest {

  private static String configurationPage() throws IOException {
    Path page = Path.of("..", "docs", "configuration.md");
    return Files.readString(page, StandardCharsets.UTF_8);
  }

  private static List<String> publicMethods(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build")) {
        names.add(m.getName());
      }
    }
    return names;
  }

  @Test
  void everyLimitIsDocumented() throws IOException {
    String page = configurationPage();
    for (String option : publicMethods(Limits.Builder.class)) {
      assertThat(page).as("docs/configuration.md mentions Limits option " + option).contains(option + "(");
    }
  }

  @Test
  void everyBuilderOptionIsDocumented() throws IOException {
    String page = configurationPage();
    for (String option : publicMethods(P8Server.Builder.class)) {
      assertThat(page).as("docs/configuration.md mentions builder method " + option).contains("`" + option + "(");
    }
  }
}
