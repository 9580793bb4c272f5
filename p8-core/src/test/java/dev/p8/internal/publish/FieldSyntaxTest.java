package dev.p8.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldSyntaxTest {

  @ParameterizedTest
  @ValueSource(strings = {"Content-Type", "x", "A1!#$%&'*+-.^_`|~"})
  void tokens(String name) {
    assertThat(FieldSyntax.isToken(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "A B", "A:", "A\r\n", "\u00e9", "(x)", "a/b", "a\"b"})
  void notTokens(String name) {
    assertThat(FieldSyntax.isToken(name)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "text/plain; charset=utf-8", "a\tb", "caf\u00e9 \u2713"})
  void fieldText(String value) {
    assertThat(FieldSyntax.isFieldText(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "\u0000", "\u007f", "\u001b[0m"})
  void notFieldText(String value) {
    assertThat(FieldSyntax.isFieldText(value)).isFalse();
  }
}
