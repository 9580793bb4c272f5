package dev.p8.undertow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Header;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Header names are matched without case, in every spelling a peer may send. */
class HeaderRulesTest {

  private static HeaderMap headers(String... namesAndValues) {
    HeaderMap map = new HeaderMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.add(HttpString.tryFromString(namesAndValues[i]), namesAndValues[i + 1]);
    }
    return map;
  }

  private static List<String> names(HeaderMap map) {
    return map.getHeaderNames().stream().map(HttpString::toString).sorted().toList();
  }

  @Test
  void requestsLoseHopByHopHeadersThoseTheConnectionHeaderNamesAndGrip() {
    HeaderMap to = new HeaderMap();
    HeaderRules.copyRequestHeaders(headers(
        "Host", "example.com",
        "CONNECTION", "X-Private, Keep-Alive",
        "x-private", "secret",
        "Keep-Alive", "timeout=5",
        "TE", "trailers",
        "Accept-ENCODING", "gzip",
        "grip-sig", "forged",
        "X-Kept", "yes"), to);

    assertThat(names(to)).containsExactly("Host", "X-Kept");
  }

  @Test
  void aTrustedUpstreamKeepsGrip() {
    HeaderMap to = new HeaderMap();
    HeaderRules.copyRequestHeaders(headers("Grip-Sig", "token", "Connection", "close"), to, true);

    assertThat(names(to)).containsExactly("Grip-Sig");
  }

  @Test
  void relayedResponsesLoseOnlyHopByHopHeaders() {
    HeaderMap to = new HeaderMap();
    HeaderRules.copyResponseHeaders(headers(
        "Content-Length", "5",
        "connection", "keep-alive",
        "Transfer-Encoding", "chunked",
        "Upgrade", "h2c",
        "X-Backend", "yes"), to);

    assertThat(names(to)).containsExactly("Content-Length", "X-Backend");
  }

  @Test
  void heldResponsesAlsoLoseFramingAndGripAndKeepOnlyExposedHeadersWhenAsked() {
    HeaderMap from = headers(
        "content-LENGTH", "0",
        "Content-Encoding", "gzip",
        "Grip-Hold", "stream",
        "Connection", "x-hop",
        "X-Hop", "1",
        "Content-Type", "text/plain",
        "X-Other", "2");

    assertThat(HeaderRules.heldResponseHeaders(from, List.of()))
        .containsExactlyInAnyOrder(new Header("Content-Type", "text/plain"), new Header("X-Other", "2"));
    assertThat(HeaderRules.heldResponseHeaders(from, List.of("x-other")))
        .containsExactly(new Header("X-Other", "2"));
  }

  @Test
  void cleanedHeadersLoseHopByHopFramingAndGripInAnyCase() {
    assertThat(HeaderRules.clean(List.of(new Header("TRANSFER-ENCODING", "chunked"),
        new Header("content-length", "3"), new Header("GRIP-CHANNEL", "c"), new Header("X-Kept", "1"))))
        .containsExactly(new Header("X-Kept", "1"));
  }

  @Test
  void onlyGripHeadersAndContentTypeReachTheParser() {
    assertThat(HeaderRules.toMap(headers("Grip-Hold", "stream", "content-type", "text/plain",
        "Date", "today", "Server", "x")).keySet()).containsExactly("Grip-Hold", "content-type");
  }
}
