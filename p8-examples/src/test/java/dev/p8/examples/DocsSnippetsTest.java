package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code in the docs is copied from compiled examples: a block after
 * {@code <!-- snippet: path -->} must appear, character for character, in that file. Links
 * from the docs to example sources must point at files that exist.
 */
class DocsSnippetsTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern SNIPPET =
      Pattern.compile("<!-- snippet: (\\S+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern EXAMPLE_LINK = Pattern.compile("\\]\\(\\.\\./(p8-examples/[^)#]+)");

  private static List<Path> pages() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      return files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
  }

  @Test
  void snippetsMatchTheirSources() throws IOException {
    int checked = 0;
    for (Path page : pages()) {
      String text = Files.readString(page, StandardCharsets.UTF_8);
      Matcher m = SNIPPET.matcher(text);
      while (m.find()) {
        Path source = ROOT.resolve(m.group(1));
        assertThat(source).as("%s names a snippet source", page).isRegularFile();
        assertThat(Files.readString(source, StandardCharsets.UTF_8))
            .as("%s: a snippet no longer matches %s", page.getFileName(), m.group(1))
            .contains(m.group(2));
        checked++;
      }
    }
    assertThat(checked).as("snippets found in docs/").isGreaterThanOrEqualTo(5);
  }

  @Test
  void linksToExamplesPointAtFiles() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      Matcher m = EXAMPLE_LINK.matcher(Files.readString(page, StandardCharsets.UTF_8));
      while (m.find()) {
        if (!Files.isRegularFile(ROOT.resolve(m.group(1)))) {
          broken.add(page.getFileName() + " -> " + m.group(1));
        }
      }
    }
    assertThat(broken).as("links from docs/ to missing example files").isEmpty();
  }
}
