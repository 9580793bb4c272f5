package dev.p8.undertow.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The kit with {@code inProcess = false}: the handler is served on a loopback socket, as before. */
@P8Test(inProcess = false)
class P8TestSocketBackendTest {

  @P8Backend
  static final HttpHandler BACKEND = exchange ->
      exchange.getResponseSender().send("over " + exchange.getConnection().getTransportProtocol());

  @Test
  void routesToTheBackendsPort(P8Server server, URI p8) throws Exception {
    assertThat(server.routes().get(0).targets().get(0).isInProcess()).isFalse();
    assertThat(server.routes().get(0).targets().get(0).host()).isEqualTo("127.0.0.1");
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(p8.resolve("/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("over http/1.1");
  }
}
