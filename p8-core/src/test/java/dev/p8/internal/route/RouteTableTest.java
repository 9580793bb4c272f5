package dev.p8.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.route.Route;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

  /** Each route's id names it in the table below; the target is irrelevant to matching. */
  private static final RouteTable TABLE = table(
      "*,id=any b:1",
      "*,id=any-api,path_beg=/api b:1",
      "*,id=any-api-v1,path_beg=/api/v1 b:1",
      "*,id=any-ws,proto=ws b:1",
      "*,id=any-ssl,ssl=yes b:1",
      "*,id=any-plain-api,ssl=no,path_beg=/api b:1",
      "example.com,id=ex b:1",
      "example.com,id=ex-stream,path_beg=/stream b:1",
      "EXAMPLE.org,id=org-ws,proto=ws b:1",
      "[::1],id=v6 b:1",
      "id=hidden,path_beg=/hidden b:1");

  @ParameterizedTest(name = "{0} {1} ssl={2} ws={3} -> {4}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // Wildcard rules, most specific first: proto, then path_beg length, then ssl.
      "other.com   | /             | false | false | any",
      "other.com   | /api          | false | false | any-plain-api",
      "other.com   | /api/x        | true  | false | any-api",
      "other.com   | /api/v1/x     | false | false | any-api-v1",
      "other.com   | /api/v1/x     | true  | false | any-api-v1",
      "other.com   | /             | true  | false | any-ssl",
      "other.com   | /api/v1/x     | false | true  | any-ws",
      "other.com   | /             | true  | true  | any-ws",
      // path_beg is a plain prefix, not a path-segment match.
      "other.com   | /apix         | true  | false | any-api",
      // Exact-host rules shut out the wildcard ones, even when none of them matches.
      "example.com | /             | false | false | ex",
      "example.com | /api/v1/x     | true  | true  | ex",
      "example.com | /stream/1     | false | false | ex-stream",
      "EXAMPLE.COM | /stream/1     | false | false | ex-stream",
      "example.org | /             | false | true  | org-ws",
      "example.org | /             | false | false | -",
      // IPv6 hosts match with or without brackets.
      "[::1]       | /             | false | false | v6",
      "::1         | /             | false | false | v6",
      // No Host header: only wildcard rules.
      "-           | /api          | false | false | any-plain-api",
      "''          | /             | false | false | any",
      // Routes without a host are never matched by host.
      "other.com   | /hidden       | false | false | any",
  })
  void matchesAsPushpinDoes(String host, String path, boolean ssl, boolean webSocket,
      String expectedId) {
    Optional<Route> route = TABLE.match(host, path, ssl, webSocket);

    assertThat(route.flatMap(Route::id)).isEqualTo(Optional.ofNullable(expectedId));
  }

  @Test
  void lineOrderDoesNotDecideBetweenLongerPathAndExplicitSsl() {
    // Pushpin picks by line order here; the rules put path_beg length before ssl.
    String path = "*,id=path,path_beg=/api b:1";
    String ssl = "*,id=ssl,ssl=yes b:1";

    assertThat(table(path, ssl).match("h", "/api/x", true, false).flatMap(Route::id))
        .contains("path");
    assertThat(table(ssl, path).match("h", "/api/x", true, false).flatMap(Route::id))
        .contains("path");
  }

  @Test
  void noRoutesMeansNoMatch() {
    assertThat(RouteTable.of(List.of()).match("h", "/", false, false)).isEmpty();
  }

  @Test
  void withoutWildcardRulesAnUnknownHostHasNoRoute() {
    RouteTable table = table("example.com b:1");

    assertThat(table.match("other.com", "/", false, false)).isEmpty();
    assertThat(table.match("example.com", "/", false, false)).isPresent();
  }

  @Test
  void duplicateConditionsKeepTheFirst() {
    RouteTable table = table(
        "*,path_beg=/a,id=first b:1",
        "*,id=second,path_beg=/a c:2",
        "Example.com b:1",
        "example.COM,id=dup-host c:2",
        "*,path_beg=/a,ssl=yes,id=not-a-duplicate d:3");

    assertThat(table.routes()).extracting(r -> r.id().orElse(r.host()))
        .containsExactly("first", "Example.com", "not-a-duplicate");
    assertThat(table.match("x", "/a", false, false).flatMap(Route::id)).contains("first");
    assertThat(table.byId("second")).isEmpty();
  }

  @Test
  void findsRoutesById() {
    assertThat(TABLE.byId("hidden").map(Route::host)).contains("");
    assertThat(TABLE.byId("ex-stream").flatMap(Route::pathBeg)).contains("/stream");
    assertThat(TABLE.byId("nope")).isEmpty();
  }

  @Test
  void anIdSharedByTwoRoutesReachesNeither() {
    RouteTable table = table("a.com,id=x b:1", "b.com,id=x b:1", "c.com,id=x b:1",
        "d.com,id=y b:1");

    assertThat(table.byId("x")).isEmpty();
    assertThat(table.byId("y")).isPresent();
    assertThat(table.routes()).hasSize(4);
    assertThat(table.match("b.com", "/", false, false)).isPresent();
  }

  @Test
  void keepsARouteWithNeitherHostNorIdButNeverMatchesIt() {
    RouteTable table = table(",debug b:1", "* c:2");

    assertThat(table.routes()).hasSize(2);
    assertThat(table.match("h", "/", false, false).map(Route::debug)).contains(false);
  }

  private static RouteTable table(String... lines) {
    return RouteTable.of(Stream.of(lines).map(Route::parse).toList());
  }
}
