package dev.p8.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {

  @Test
  void parsesHostAndPort() {
    Target target = Target.parse("backend:8080");

    assertThat(target.host()).isEqualTo("backend");
    assertThat(target.port()).isEqualTo(8080);
    assertThat(target.isTest()).isFalse();
    assertThat(target.options()).isEmpty();
    assertThat(target).isEqualTo(Target.of("backend", 8080));
  }

  @Test
  void parsesBracketedIpv6() {
    Target target = Target.parse("[::1]:8080,ssl");

    assertThat(target.host()).isEqualTo("::1");
    assertThat(target.port()).isEqualTo(8080);
    assertThat(target.ssl()).isTrue();
    assertThat(target.toString()).isEqualTo("[::1]:8080,ssl");
  }

  @Test
  void parsesTheTestTarget() {
    Target target = Target.parse("test");

    assertThat(target.isTest()).isTrue();
    assertThat(target.host()).isEqualTo("test");
    assertThat(target.port()).isZero();
    assertThat(target).isEqualTo(Target.test());
    assertThat(target.toString()).isEqualTo("test");
  }

  @Test
  void parsesAnInProcessOrigin() {
    Target target = Target.parse("in-process:chat.v2,over_http");

    assertThat(target.isInProcess()).isTrue();
    assertThat(target.isTest()).isFalse();
    assertThat(target.host()).isEqualTo("chat.v2");
    assertThat(target.port()).isZero();
    assertThat(target.overHttp()).isTrue();
    assertThat(target.toString()).isEqualTo("in-process:chat.v2,over_http");
    assertThat(Target.parse(target.toString())).isEqualTo(target);
    assertThat(Target.inProcess("chat.v2")).isNotEqualTo(Target.of("chat.v2", 1))
        .hasToString("in-process:chat.v2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"in-process:", "in-process:a/b", "in-process:a:b"})
  void refusesABadInProcessName(String token) {
    assertThatThrownBy(() -> Target.parse(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target \"" + token + "\": in-process origin name");
  }

  @Test
  void aHostNamedTestWithAPortIsAnOrdinaryBackend() {
    Target target = Target.parse("test:80");

    assertThat(target.isTest()).isFalse();
    assertThat(target).isNotEqualTo(Target.test()).isEqualTo(Target.of("test", 80));
  }

  @Test
  void readsEveryTypedOption() {
    Target target = Target.parse("b:1,ssl,insecure,over_http,one_event,host=example.com,"
        + "sub=a,sub=,sub=\"b c\",untrusted,client_cert=/c.pem");

    assertThat(target.ssl()).isTrue();
    assertThat(target.insecure()).isTrue();
    assertThat(target.overHttp()).isTrue();
    assertThat(target.oneEvent()).isTrue();
    assertThat(target.hostHeader()).contains("example.com");
    assertThat(target.subscriptions()).containsExactly("a", "b c");
    assertThat(target.options()).containsEntry("untrusted", "")
        .containsEntry("client_cert", "/c.pem")
        .containsEntry("sub", "b c");
  }

  @Test
  void flagsAreOffWithoutTheirOptions() {
    Target target = Target.of("b", 1);

    assertThat(target.ssl()).isFalse();
    assertThat(target.insecure()).isFalse();
    assertThat(target.overHttp()).isFalse();
    assertThat(target.oneEvent()).isFalse();
    assertThat(target.hostHeader()).isEmpty();
    assertThat(target.subscriptions()).isEmpty();
    assertThat(Target.parse("b:1,host=").hostHeader()).isEmpty();
  }

  @Test
  void optionsKeepTheirFirstAppearanceOrderAndLastValue() {
    assertThat(Target.parse("b:1,x=1,y,x=2").options())
        .containsExactly(Map.entry("x", "2"), Map.entry("y", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"b:1", "b:65535", "[::1]:80,ssl,insecure", "test,sub=x",
      "b:1,sub=\"a b\",host=\"x,y\"", "b:1,k=\"q\\\"\\\\\""})
  void roundTripsThroughToString(String token) {
    Target target = Target.parse(token);

    assertThat(Target.parse(target.toString())).isEqualTo(target);
    assertThat(Target.parse(target.toString()).hashCode()).isEqualTo(target.hashCode());
  }

  @Test
  void ofRendersIpv6InBrackets() {
    assertThat(Target.of("fe80::1", 443).toString()).isEqualTo("[fe80::1]:443");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "''             | target \"\" is empty",
      "'  '           | target \"  \" is empty",
      "a:1 b:2        | target \"a:1 b:2\" contains a space; a target is a single token",
      "b              | target \"b\": expected host:port, [ipv6-address]:port or test",
      "b:             | target \"b:\": port \"\" is not a number from 1 to 65535",
      "b:abc          | target \"b:abc\": port \"abc\" is not a number from 1 to 65535",
      "b:123456       | target \"b:123456\": port \"123456\" is not a number from 1 to 65535",
      "[::1:80        | target \"[::1:80\": expected [ipv6-address]:port",
      "[]:80          | target \"[]:80\": target host is empty",
      "'[a b]:80'     | target \"[a b]:80\" contains a space; a target is a single token",
      "zhttpreq/ipc://x | target \"zhttpreq/ipc://x\": ZeroMQ (zhttp) targets are not supported "
          + "by P8",
      "'b:1,'         | token \"b:1,\", column 5: expected an option after ','",
      "host=x         | target \",host=x\" has no host:port before its options",
      "a[b:80         | target \"a[b:80\": target host \"a[b\" contains a character not allowed "
          + "in a host (position 2)",
  })
  void refusesBadTokensNamingThemAndWhy(String token, String message) {
    assertThatThrownBy(() -> Target.parse(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void ofRefusesBadHostsAndPorts() {
    assertThatThrownBy(() -> Target.of("", 80)).hasMessage("target host is empty");
    assertThatThrownBy(() -> Target.of("a b", 80))
        .hasMessage("target host \"a b\" contains a character not allowed in a host "
            + "(position 2)");
    assertThatThrownBy(() -> Target.of("b", 65536))
        .hasMessage("target port 65536 is out of range 1-65535");
  }
}
