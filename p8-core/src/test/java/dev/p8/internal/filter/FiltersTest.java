package dev.p8.internal.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FiltersTest {

  /** "k=v,k2=v2" to a map; "" is empty; "k=" is an empty value. */
  private static Map<String, String> map(String spec) {
    Map<String, String> m = new LinkedHashMap<>();
    if (spec.isEmpty()) {
      return m;
    }
    for (String pair : spec.split(";")) {
      int eq = pair.indexOf('=');
      m.put(pair.substring(0, eq), eq + 1 < pair.length() ? pair.substring(eq + 1) : "");
    }
    return m;
  }

  private static FilterContext context(String sub, String pub, String channels) {
    Map<String, String> prevIds = new HashMap<>();
    for (String c : channels.isEmpty() ? new String[0] : channels.split(",")) {
      int eq = c.indexOf('=');
      prevIds.put(eq < 0 ? c : c.substring(0, eq), eq < 0 ? null : c.substring(eq + 1));
    }
    return new FilterContext(map(sub), map(pub), prevIds);
  }

  static Stream<Arguments> delivery() {
    return Stream.of(
        // filter, subscription meta, publish meta, channels, sent?
        Arguments.of("skip-self", "user=alice", "sender=alice", "c", false),
        Arguments.of("skip-self", "user=alice", "sender=bob", "c", true),
        Arguments.of("skip-self", "user=alice", "", "c", true),
        Arguments.of("skip-self", "", "sender=alice", "c", true),
        Arguments.of("skip-self", "user=", "sender=", "c", true),
        Arguments.of("skip-self", "user=Alice", "sender=alice", "c", true),
        Arguments.of("skip-users", "user=bob", "skip_users=alice, bob ,carol", "c", false),
        Arguments.of("skip-users", "user=bob", "skip_users=bob", "c", false),
        Arguments.of("skip-users", "user=bob", "skip_users=alice,carol", "c", true),
        Arguments.of("skip-users", "user=bob", "skip_users=bobby", "c", true),
        Arguments.of("skip-users", "user=", "skip_users=,", "c", true),
        Arguments.of("skip-users", "", "skip_users=bob", "c", true),
        Arguments.of("skip-users", "user=bob", "", "c", true),
        Arguments.of("require-sub", "", "require_sub=vip", "c,vip", true),
        Arguments.of("require-sub", "", "require_sub=vip", "c", false),
        Arguments.of("require-sub", "", "require_sub=", "c", true),
        Arguments.of("require-sub", "", "", "c", true),
        Arguments.of("require-sub", "", "require_sub=vip", "", false),
        Arguments.of("build-id", "", "sender=x", "c", true),
        Arguments.of("var-subst", "user=alice", "sender=alice", "c", true));
  }

  @ParameterizedTest(name = "{0} sub[{1}] pub[{2}] channels[{3}] -> {4}")
  @MethodSource
  void delivery(String filter, String sub, String pub, String channels, boolean sent) {
    FilterChain chain = Filters.compile(List.of(filter));
    assertThat(chain.sendAllowed(context(sub, pub, channels))).isEqualTo(sent);
  }

  static Stream<Arguments> content() {
    return Stream.of(
        // filters, subscription meta, channels (=prev-id), content, expected
        Arguments.of("var-subst", "user=alice", "c", "hello %(user)s!", "hello alice!"),
        Arguments.of("var-subst", "user=alice", "c", "no directives", "no directives"),
        Arguments.of("var-subst", "a=1;b=2", "c", "%(a)s%(b)s%%%(a)s", "12%1"),
        Arguments.of("var-subst", "a b=x", "c", "%(a b)s", "x"),
        Arguments.of("var-subst", "a)=x", "c", "%(a\\))s", "x"),
        Arguments.of("var-subst", "u=", "c", "[%(u)s]", "[]"),
        Arguments.of("var-subst", "u=é", "c", "%(u)s", "é"),
        Arguments.of("build-id", "id_format=%(c)s", "c=42", "id: %I", "id: 42"),
        Arguments.of("build-id", "id_format=%(a)s-%(b)s", "a=1,b=2", "%I/%I", "1-2/1-2"),
        Arguments.of("build-id", "id_format=%(c)s;id_encoding=hex", "c=AB", "%I", "4142"),
        Arguments.of("build-id", "id_format=x", "c=1", "%(lit)I and 100%%", "lit and 100%"),
        Arguments.of("build-id", "id_format=%(c)s", "", "%(lit)I", "lit"),
        Arguments.of("build-id;var-subst", "id_format=%(c)s;u=al", "c=9", "%I %%(u)s",
            "9 al"),
        Arguments.of("var-subst;build-id", "id_format=%(c)s;u=al", "c=9", "%%I %(u)s",
            "9 al"),
        Arguments.of("skip-self", "", "c", "100% %(x)s", "100% %(x)s"));
  }

  @ParameterizedTest(name = "{0} sub[{1}] channels[{2}]: {3} -> {4}")
  @MethodSource
  void content(String filters, String sub, String channels, String in, String expected) {
    FilterChain chain = Filters.compile(List.of(filters.split(";")));
    byte[] out = chain.transform(context(sub, "", channels),
        in.getBytes(StandardCharsets.UTF_8));
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  static Stream<Arguments> contentErrors() {
    return Stream.of(
        Arguments.of("var-subst", "", "c", "hi %(user)s", "var-subst: no such variable \"user\""
            + " at offset 10"),
        Arguments.of("var-subst", "", "c", "100%", "var-subst: expected a directive after '%'"
            + " at offset 3"),
        Arguments.of("var-subst", "", "c", "100% off", "var-subst: unknown directive ' ' at"
            .replace("' '", "0x20") + " offset 4"),
        Arguments.of("var-subst", "", "c", "%I", "var-subst: unknown directive 'I' at offset 1"),
        Arguments.of("var-subst", "", "c", "%s", "var-subst: directive 's' requires an argument"
            + " at offset 1"),
        Arguments.of("var-subst", "", "c", "%(", "var-subst: expected a character after '('"
            + " at offset 1"),
        Arguments.of("var-subst", "", "c", "%(abc", "var-subst: unterminated field starting at"
            + " offset 1"),
        Arguments.of("var-subst", "", "c", "%(a\\", "var-subst: expected a character after"
            + " '\\' at offset 3"),
        Arguments.of("var-subst", "a=1", "c", "%(a)", "var-subst: expected a directive after"
            + " ')' at offset 3"),
        Arguments.of("var-subst", "a=1", "c", "%(a)1", "var-subst: unknown directive '1' at"
            + " offset 4"),
        Arguments.of("build-id", "", "c=1", "%I", "build-id: the subscription has no meta"
            + " 'id_format'"),
        Arguments.of("build-id", "", "c=1", "plain", "build-id: the subscription has no meta"
            + " 'id_format'"),
        Arguments.of("build-id", "id_format=%(d)s", "c=1", "%I", "build-id: cannot render meta"
            + " 'id_format': no such variable \"d\" at offset 4"),
        Arguments.of("build-id", "id_format=%(c)s", "c", "%I", "build-id: cannot render meta"
            + " 'id_format': no such variable \"c\" at offset 4"),
        Arguments.of("build-id", "id_format=x;id_encoding=b64", "c=1", "%I", "build-id:"
            + " unsupported meta 'id_encoding' \"b64\"; only \"hex\" is supported"),
        Arguments.of("build-id", "id_format=x", "", "%I", "build-id: no ID given and the"
            + " subscription has no channel prev-id to render one at offset 1"),
        Arguments.of("build-id", "id_format=x", "c=1", "%(u)s", "build-id: unknown directive"
            + " 's' at offset 4"));
  }

  @ParameterizedTest(name = "{0} sub[{1}] channels[{2}]: {3}")
  @MethodSource
  void contentErrors(String filters, String sub, String channels, String in, String message) {
    FilterChain chain = Filters.compile(List.of(filters.split(";")));
    assertThatThrownBy(() -> chain.transform(context(sub, "", channels),
        in.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(FilterException.class).hasMessage(message);
  }

  @Test
  void withoutContentFiltersTheContentIsNotCopied() {
    byte[] in = "100% %(x)s".getBytes(StandardCharsets.UTF_8);
    FilterContext c = context("", "", "c");
    assertThat(Filters.compile(List.of()).transform(c, in)).isSameAs(in);
    assertThat(Filters.compile(List.of("skip-self", "require-sub")).transform(c, in))
        .isSameAs(in);
    byte[] plain = "plain".getBytes(StandardCharsets.UTF_8);
    assertThat(Filters.compile(List.of("var-subst")).transform(c, plain)).isSameAs(plain);
  }

  @Test
  void theResponseChainHoldsOnlyBuildId() {
    FilterChain chain = Filters.compile(List.of("var-subst", "build-id", "skip-self"));
    FilterContext c = context("id_format=%(c)s", "", "c=7");

    assertThat(new String(chain.transformResponse(c, "%I %%(u)s".getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8)).isEqualTo("7 %(u)s");
  }

  @Test
  void contentFilterNamesAreTheContentChangingOnesInOrder() {
    FilterChain chain = Filters.compile(List.of("var-subst", "skip-self", "build-id"));

    assertThat(chain.names()).containsExactly("var-subst", "skip-self", "build-id");
    assertThat(chain.contentFilterNames()).containsExactly("var-subst", "build-id");
    assertThat(chain.contentFiltersMatch(null)).isTrue();
    assertThat(chain.contentFiltersMatch(List.of("var-subst", "build-id"))).isTrue();
    assertThat(chain.contentFiltersMatch(List.of("build-id", "var-subst"))).isFalse();
    assertThat(chain.contentFiltersMatch(List.of())).isFalse();
    assertThat(Filters.compile(List.of("skip-self")).contentFiltersMatch(List.of())).isTrue();
    assertThat(Filters.compile(List.of()).contentFiltersMatch(List.of("var-subst"))).isFalse();
  }

  @Test
  void filtersRunInOrderAndAnyDeliveryFilterCanDrop() {
    FilterChain chain = Filters.compile(List.of("skip-self", "skip-users", "require-sub"));
    assertThat(chain.sendAllowed(context("user=u", "sender=x;skip_users=x", "c"))).isTrue();
    assertThat(chain.sendAllowed(context("user=u", "skip_users=u", "c"))).isFalse();
    assertThat(chain.sendAllowed(context("user=u", "require_sub=d", "c"))).isFalse();
    assertThat(chain.sendAllowed(context("user=u", "require_sub=d", "c,d"))).isTrue();
  }

  @Test
  void unknownNamesAreRefusedStrictlyAndLeftOutLeniently() {
    assertThatThrownBy(() -> Filters.compile(List.of("skip-self", "http-check")))
        .isInstanceOf(FilterException.class)
        .hasMessage("unknown filter \"http-check\"; known filters: skip-self, skip-users,"
            + " require-sub, build-id, var-subst");
    assertThatThrownBy(() -> Filters.compile(List.of("a\nb")))
        .hasMessageStartingWith("unknown filter \"a\\x0ab\";");

    List<String> ignored = new ArrayList<>();
    FilterChain chain = Filters.compile(List.of("typo", "var-subst", "http-modify"),
        ignored::add);
    assertThat(ignored).containsExactly("typo", "http-modify");
    assertThat(chain.names()).containsExactly("var-subst");
    assertThat(Filters.compile(List.of("typo"), ignored::add).isEmpty()).isTrue();
  }

  @Test
  void tooManyFiltersAreRefused() {
    assertThatThrownBy(() -> Filters.compile(List.of("skip-self", "skip-self", "skip-self",
        "skip-self", "skip-self", "skip-self")))
        .hasMessage("too many filters (6); at most 5 are allowed per channel");
  }

  @Test
  void garbageContentEitherRendersOrFailsWithTheOneException() {
    Random random = new Random(5);
    FilterChain chain = Filters.compile(List.of("var-subst", "build-id"));
    FilterContext c = context("id_format=%(c)s;user=u;id_encoding=hex", "", "c=1");
    byte[] alphabet = "%()\\sIx u\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 20_000; i++) {
      byte[] in = new byte[random.nextInt(12)];
      for (int j = 0; j < in.length; j++) {
        in[j] = random.nextInt(4) == 0 ? (byte) random.nextInt(256)
            : alphabet[random.nextInt(alphabet.length)];
      }
      try {
        assertThat(chain.transform(c, in)).isNotNull();
      } catch (FilterException e) {
        assertThat(e.getMessage()).matches("(var-subst|build-id): .*")
            .doesNotContain("\n");
      }
    }
  }
}
