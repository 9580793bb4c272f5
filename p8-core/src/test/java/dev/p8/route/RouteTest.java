package dev.p8.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.Header;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTest {

  @Test
  void parsesTheSimplestRoute() {
    Route route = Route.parse("* localhost:8080");

    assertThat(route.host()).isEqualTo("*");
    assertThat(route.options()).isEmpty();
    assertThat(route.targets()).containsExactly(Target.of("localhost", 8080));
    assertThat(route.pathBeg()).isEmpty();
    assertThat(route.id()).isEmpty();
    assertThat(route.ssl()).isEmpty();
    assertThat(route.proto()).isEmpty();
    assertThat(route.pathRem()).isEmpty();
    assertThat(route.noGrip()).isFalse();
    assertThat(route.debug()).isFalse();
    assertThat(route.aco()).isFalse();
    assertThat(route.headers()).isEmpty();
  }

  @Test
  void parsesConditionOptionsAndTargetOptions() {
    Route route = Route.parse("*,path_beg=/api,prefix=foo_ backend:80,over_http");

    assertThat(route.pathBeg()).contains("/api");
    assertThat(route.prefix()).contains("foo_");
    assertThat(route.options()).containsExactly(Map.entry("path_beg", "/api"),
        Map.entry("prefix", "foo_"));
    Target target = route.targets().get(0);
    assertThat(target.host()).isEqualTo("backend");
    assertThat(target.port()).isEqualTo(80);
    assertThat(target.overHttp()).isTrue();
    assertThat(target.ssl()).isFalse();
  }

  @Test
  void parsesSeveralTargetsInFailoverOrder() {
    Route route = Route.parse("example.com,ssl=yes 10.0.0.1:443,ssl,insecure 10.0.0.2:443");

    assertThat(route.host()).isEqualTo("example.com");
    assertThat(route.ssl()).contains(true);
    assertThat(route.targets()).hasSize(2);
    assertThat(route.targets().get(0).ssl()).isTrue();
    assertThat(route.targets().get(0).insecure()).isTrue();
    assertThat(route.targets().get(1)).isEqualTo(Target.of("10.0.0.2", 443));
  }

  @Test
  void parsesTheTestTarget() {
    Route route = Route.parse("* test");

    assertThat(route.targets()).containsExactly(Target.test());
    assertThat(route.targets().get(0).isTest()).isTrue();
  }

  @Test
  void parsesEveryTypedOption() {
    Route route = Route.parse("*,proto=ws,ssl=no,id=chat,as_host=example.org:8080,path_rem=4,"
        + "replace_beg=/v2,sig_iss=me,sig_key=base64:c2VjcmV0,no_grip,debug,aco,"
        + "header=X-A:1,header=X-B:,jsonp_mode=basic,log_level=3,unknown_thing=7 b:1");

    assertThat(route.proto()).contains("ws");
    assertThat(route.ssl()).contains(false);
    assertThat(route.id()).contains("chat");
    assertThat(route.asHost()).contains("example.org:8080");
    assertThat(route.pathRem()).isEqualTo(OptionalInt.of(4));
    assertThat(route.replaceBeg()).contains("/v2");
    assertThat(route.sigIss()).contains("me");
    assertThat(route.sigKey()).contains("base64:c2VjcmV0");
    assertThat(route.noGrip()).isTrue();
    assertThat(route.debug()).isTrue();
    assertThat(route.aco()).isTrue();
    assertThat(route.headers()).containsExactly(new Header("X-A", "1"), new Header("X-B", ""));
    assertThat(route.options()).containsEntry("jsonp_mode", "basic")
        .containsEntry("unknown_thing", "7")
        .containsEntry("no_grip", "");
  }

  @Test
  void headerValuesLoseLeadingSpacesAsInPushpin() {
    Route route = Route.parse("*,header=\"X-A:   two words\" b:1");

    assertThat(route.headers()).containsExactly(new Header("X-A", "two words"));
  }

  @Test
  void aConditionStartingWithAnOptionHasNoHost() {
    assertThat(Route.parse("id=chat b:1").host()).isEmpty();
    assertThat(Route.parse(",debug,id=chat b:1").host()).isEmpty();
    assertThat(Route.parse("id=chat b:1").id()).contains("chat");
  }

  @Test
  void quotedValuesMayHoldSeparatorsAndEscapes() {
    Route route = Route.parse("*,prefix=\"a b,c#\\\"d\\\\\" b:1 # comment");

    assertThat(route.prefix()).contains("a b,c#\"d\\");
    assertThat(route.targets()).hasSize(1);
  }

  @Test
  void aHashEndsTheLineEvenInsideAToken() {
    assertThat(Route.parse("* b:1#,ssl c:2").targets()).containsExactly(Target.of("b", 1));
  }

  @Test
  void tabsSeparateTokensLikeSpaces() {
    assertThat(Route.parse("*\tb:1").targets()).containsExactly(Target.of("b", 1));
  }

  @Test
  void aRepeatedOptionKeepsItsLastValueAsInPushpin() {
    Route route = Route.parse("*,prefix=a,prefix=b b:1");

    assertThat(route.prefix()).contains("b");
    assertThat(route.options()).containsExactly(Map.entry("prefix", "b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "* localhost:8080",
      "*,path_beg=/api,prefix=foo_ backend:80,over_http",
      "example.com,ssl=yes 10.0.0.1:443,ssl,insecure 10.0.0.2:443",
      "* test",
      ",debug,id=x b:1",
      "id=x b:1",
      "*,prefix=\"a b\" b:1,sub=\"x,y\"",
      "*,header=X-A:1,header=X-A:2 [::1]:8080,ssl test,sub=t",
      "*,sig_key=\"with \\\"quote\\\" and \\\\\" b:1",
      "\"\" b:1",
      "[::1] b:1",
  })
  void renderingAndParsingAgainGivesAnEqualRoute(String line) {
    Route route = Route.parse(line);

    Route again = Route.parse(route.toString());

    assertThat(again).isEqualTo(route);
    assertThat(again.hashCode()).isEqualTo(route.hashCode());
    assertThat(again.toString()).isEqualTo(route.toString());
  }

  @Test
  void rendersPlainLinesExactlyAsWritten() {
    String line = "*,path_beg=/api,prefix=foo_ backend:80,over_http [::1]:81,ssl test";

    assertThat(Route.parse(line).toString()).isEqualTo(line);
  }

  @Test
  void routesDifferingInOptionOrderAreNotEqual() {
    assertThat(Route.parse("*,debug,aco b:1")).isNotEqualTo(Route.parse("*,aco,debug b:1"));
  }

  @Test
  void builderMakesTheSameRouteAsTheLine() {
    Route built = Route.builder()
        .pathBeg("/api")
        .prefix("foo_")
        .target(Target.parse("backend:80,over_http"))
        .build();

    assertThat(built).isEqualTo(Route.parse("*,path_beg=/api,prefix=foo_ backend:80,over_http"));
  }

  @Test
  void builderSetsEveryOption() {
    Route route = Route.builder()
        .host("example.com")
        .id("r1")
        .asHost("up.example.com")
        .pathRem(3)
        .replaceBeg("/x")
        .ssl(true)
        .proto("http")
        .noGrip()
        .debug()
        .aco()
        .sigIss("iss")
        .sigKey("key")
        .header("X-A", "1")
        .header("X-A", "2")
        .target("b", 1)
        .target(Target.test())
        .build();

    assertThat(route.toString()).isEqualTo("example.com,id=r1,as_host=up.example.com,path_rem=3,"
        + "replace_beg=/x,ssl=yes,proto=http,no_grip,debug,aco,sig_iss=iss,sig_key=key,"
        + "header=X-A:1,header=X-A:2 b:1 test");
    assertThat(Route.parse(route.toString())).isEqualTo(route);
  }

  @Test
  void builderReplacesASetOptionInPlace() {
    Route route = Route.builder().prefix("a").id("x").prefix("b").target("h", 1).build();

    assertThat(route.toString()).isEqualTo("*,prefix=b,id=x h:1");
  }

  @Test
  void toBuilderKeepsEverything() {
    Route route = Route.parse("example.com,path_beg=/a,other=1 b:1 c:2");

    assertThat(route.toBuilder().build()).isEqualTo(route);
    assertThat(route.toBuilder().debug().build().toString())
        .isEqualTo("example.com,path_beg=/a,other=1,debug b:1 c:2");
  }

  @Test
  void builderRefusesBadValuesNamingTheOption() {
    assertThatThrownBy(() -> Route.builder().proto("tcp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("condition option proto=\"tcp\": must be http or ws");
    assertThatThrownBy(() -> Route.builder().pathBeg(""))
        .hasMessage("condition option path_beg=\"\": must not be empty");
    assertThatThrownBy(() -> Route.builder().pathRem(-1))
        .hasMessage("condition option path_rem=\"-1\": must not be negative");
    assertThatThrownBy(() -> Route.builder().header("X A", "1"))
        .hasMessage("condition option header=\"X A:1\": header name is not an HTTP token "
            + "(position 2)");
    assertThatThrownBy(() -> Route.builder().header("X-A", "a\r\nb"))
        .hasMessage("condition option header=\"X-A:a\\x0d\\x0ab\": header value contains a "
            + "control character (position 2)");
    assertThatThrownBy(() -> Route.builder().header("", "1"))
        .hasMessage("condition option header=\":1\": header name is empty");
    assertThatThrownBy(() -> Route.builder().header("X-A", " 1"))
        .hasMessage("condition option header=\"X-A: 1\": header value must not start with a "
            + "space");
    assertThatThrownBy(() -> Route.builder().host("example.com:80"))
        .hasMessage("condition host \"example.com:80\": expected a host name or address "
            + "without a port");
    assertThatThrownBy(() -> Route.builder().target("b", 0))
        .hasMessage("target port 0 is out of range 1-65535");
    assertThatThrownBy(() -> Route.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a route needs at least one target; call target(...)");
  }

  @Test
  void refusesLineBreaksSoThatEveryRouteRendersAsOneLine() {
    assertThatThrownBy(() -> Route.parse("* b:1\n* c:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line break at column 6; a route is a single line");
    assertThatThrownBy(() -> Route.parse("*,prefix=\"a\rb\" c:2"))
        .hasMessage("line break at column 12; a route is a single line");
    assertThatThrownBy(() -> Route.builder().prefix("a\nb"))
        .hasMessage("condition option prefix=\"a\\x0ab\": must not contain a line break");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "''                              | route line is empty",
      "'   # only a comment'           | route line is empty",
      "*                               | route \"*\" has a condition but no target; expected a "
          + "condition and at least one target",
      "*,proto=tcp b:1                 | condition option proto=\"tcp\": must be http or ws",
      "*,ssl=true b:1                  | condition option ssl=\"true\": must be yes or no",
      "*,path_beg= b:1                 | condition option path_beg=\"\": must not be empty",
      "*,path_rem=x b:1                | condition option path_rem=\"x\": must be a whole number "
          + "from 0 to 2147483647",
      "*,path_rem=-1 b:1               | condition option path_rem=\"-1\": must be a whole "
          + "number from 0 to 2147483647",
      "*,log_level=9999999999 b:1      | condition option log_level=\"9999999999\": must be a "
          + "whole number from 0 to 2147483647",
      "*,jsonp_mode=fancy b:1          | condition option jsonp_mode=\"fancy\": must be basic or "
          + "extended",
      "*,header=nocolon b:1            | condition option header=\"nocolon\": expected name:value",
      "*,header=:v b:1                 | condition option header=\":v\": expected name:value",
      "*,header=a(b:v b:1              | condition option header=\"a(b:v\": header name is not an "
          + "HTTP token (position 2)",
      "*.example.com b:1               | condition host \"*.example.com\": partial wildcards are "
          + "not supported; use * alone for any host",
      "example.com:80 b:1              | condition host \"example.com:80\": expected a host name "
          + "or address without a port",
      "a/b b:1                         | condition host \"a/b\" contains a character not allowed "
          + "in a host (position 2)",
      "'*,prefix=\"abc b:1'            | token \"*,prefix=\\\"abc\", column 10: unterminated "
          + "quoted section",
      "'*,prefix=\"a\\x\" b:1'         | token \"*,prefix=\\\"a\\\\x\\\"\", column 13: unexpected "
          + "escape \\x (only \\\\ and \\\" are allowed)",
      "'*,prefix=\"a\\'                | token \"*,prefix=\\\"a\\\\\", column 13: unterminated "
          + "escape sequence",
      "'*,debug, b:1'                  | token \"*,debug,\", column 9: expected an option after "
          + "','",
      "'*,debug,=x b:1'                | token \"*,debug,=x\", column 9: empty option name",
      "* b                             | target \"b\": expected host:port, [ipv6-address]:port or "
          + "test",
      "* b:0                           | target \"b:0\": port \"0\" is not a number from 1 to 65535",
      "* b:65536                       | target \"b:65536\": port \"65536\" is not a number from 1 to "
          + "65535",
      "* b:+80                         | target \"b:+80\": port \"+80\" is not a number from 1 to "
          + "65535",
      "* ::1:80                        | target \"::1:80\": an IPv6 address must be in brackets, as "
          + "in [::1]:8080",
      "* [::1]                         | target \"[::1]\": expected [ipv6-address]:port",
      "* :80                           | target \":80\": target host is empty",
      "* zhttp/tcp://127.0.0.1:5000    | target \"zhttp/tcp://127.0.0.1:5000\": ZeroMQ (zhttp) "
          + "targets are not supported by P8",
      "* ssl=1                         | target \",ssl=1\" has no host:port before its options",
  })
  void refusesBadLinesNamingTheTokenAndWhy(String line, String message) {
    assertThatThrownBy(() -> Route.parse(line))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "*                                    | /a/b   | /a/b",
      "*,path_rem=2                         | /a/b   | /b",
      "*,path_rem=10                        | /a/b   | /",
      "*,path_beg=/api,replace_beg=/v2      | /api/x | /v2/x",
      "*,path_beg=/api/,replace_beg=/       | /api/x | /x",
      "*,replace_beg=/pre                   | /x     | /pre/x",
      "*,path_beg=/a,path_rem=1,replace_beg=/z | /a/b | /z/b",
  })
  void rewritesPathsAsPushpinDoes(String condition, String path, String expected) {
    Route route = Route.parse(condition + " b:1");

    assertThat(route.rewritePath(path)).isEqualTo(expected);
  }

  @Test
  void optionalsAreEmptyWhenAbsent() {
    Route route = Route.parse("*,id= b:1");

    assertThat(route.id()).isEqualTo(Optional.empty());
    assertThat(route.sigKey()).isEmpty();
  }
}
