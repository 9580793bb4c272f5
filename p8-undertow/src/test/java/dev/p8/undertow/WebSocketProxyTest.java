package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.grip.GripSig;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import dev.p8.websocket.GripControl;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client WebSockets proxied to a real backend WebSocket server (Undertow), with and without GRIP. */
class WebSocketProxyTest {

  private final BlockingQueue<String> backendSaw = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> handshakeHeaders = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private Undertow backend;
  private P8Server p8;

  private HttpHandler backendHandler() {
    WebSocketConnectionCallback callback = (exchange, channel) -> {
      boolean grip = exchange.getRequestURI().startsWith("/grip");
      channel.getReceiveSetter().set(new AbstractReceiveListener() {
        @Override
        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
          String text = message.getData();
          backendSaw.add(text);
          if (text.equals("bye")) {
            WebSockets.sendClose(4000, "backend says bye", ch, null);
          } else if (grip && text.equals("keep-alive")) {
            WebSockets.sendText("c:{\"type\":\"keep-alive\",\"content\":\"still here\",\"timeout\":1}", ch, null);
          } else if (grip && text.equals("later")) {
            WebSockets.sendText("c:{\"type\":\"send-delayed\",\"content\":\"delayed\",\"timeout\":1}", ch, null);
          } else if (grip && text.equals("now")) {
            WebSockets.sendText("c:{\"type\":\"send-delayed\",\"content\":\"flushed\",\"timeout\":600}", ch, null);
            WebSockets.sendText("c:{\"type\":\"flush-delayed\"}", ch, null);
          } else if (grip && text.equals("broken")) {
            WebSockets.sendText("c:{not json", ch, null);
            WebSockets.sendText(GripControl.message("still here"), ch, null);
            WebSockets.sendText("c:{\"type\":\"subscribe\",\"channel\":\"x\",\"filters\":"
                + "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", ch, null);
          } else if (grip) {
            WebSockets.sendText("dropped: no prefix", ch, null);
            WebSockets.sendText(GripControl.message("echo: " + text), ch, null);
          } else {
            WebSockets.sendText("echo: " + text, ch, null);
          }
        }
      });
      channel.resumeReceives();
      if (grip) {
        WebSockets.sendText(GripControl.subscribe("room"), channel, null);
      }
    };
    WebSocketProtocolHandshakeHandler ws = new WebSocketProtocolHandshakeHandler(
        List.of(new Hybi13Handshake(Set.of("chat.v1"), false)), callback);
    return exchange -> {
      if (exchange.getRequestURI().startsWith("/reject")) {
        exchange.setStatusCode(403);
        exchange.getResponseHeaders().put(HttpString.tryFromString("X-Why"), "no");
        exchange.getResponseSender().send("go away\n");
        return;
      }
      handshakeHeaders.add("ext=" + exchange.getRequestHeaders().getFirst("Sec-WebSocket-Extensions")
          + " sig=" + exchange.getRequestHeaders().getFirst("Grip-Sig")
          + " protocol=" + exchange.getRequestHeaders().getFirst("Sec-WebSocket-Protocol")
          + " cookie=" + exchange.getRequestHeaders().getFirst("Cookie"));
      if (exchange.getRequestURI().startsWith("/grip")) {
        exchange.getResponseHeaders().put(HttpString.tryFromString("Sec-WebSocket-Extensions"), "grip");
      }
      ws.handleRequest(exchange);
    };
  }

  @BeforeEach
  void setUp() {
    backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(backendHandler()).build();
    backend.start();
    int port = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
    p8 = P8Server.builder()
        .listen("127.0.0.1", 0)
        .noControlListener()
        .route("* 127.0.0.1:" + port)
        .signing("p8", "secret")
        .build()
        .start();
  }

  @AfterEach
  void tearDown() {
    p8.close();
    backend.stop();
  }

  private WebSocket connect(String path, WebSocketTest.Recorder recorder) {
    return http.newWebSocketBuilder()
        .header("Cookie", "session=1")
        .subprotocols("chat.v1")
        .buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + path), recorder)
        .join();
  }

  @Test
  void aBackendThatAcceptsGripControlsSubscriptionsAndPrefixesData() throws Exception {
    WebSocketTest.Recorder r = new WebSocketTest.Recorder();
    WebSocket ws = connect("/grip/chat", r);
    assertThat(ws.getSubprotocol()).isEqualTo("chat.v1");
    String seen = handshakeHeaders.poll(10, TimeUnit.SECONDS);
    assertThat(seen).startsWith("ext=grip sig=").endsWith(" protocol=chat.v1 cookie=session=1");
    String token = seen.substring(seen.indexOf("sig=") + 4, seen.indexOf(" protocol="));
    assertThat(GripSig.verify(token, "secret".getBytes(StandardCharsets.UTF_8), "p8", Instant.now())).isTrue();

    await("the backend's subscribe to take effect", () -> p8.subscriptions() == 1);
    ws.sendText("hello", true).join();
    assertThat(backendSaw.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    assertThat(r.next()).as("the unprefixed message was dropped, the prefix stripped").isEqualTo("echo: hello");

    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("published")).build());
    assertThat(r.next()).isEqualTo("published");

    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    assertThat(r.closed.get(10, TimeUnit.SECONDS)).startsWith("1000");
    await("the session to be released", () -> p8.webSocketConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void keepAliveAndDelayedMessagesFromTheBackend() throws Exception {
    WebSocketTest.Recorder r = new WebSocketTest.Recorder();
    WebSocket ws = connect("/grip/chat", r);
    ws.sendText("now", true).join();
    assertThat(r.next()).isEqualTo("flushed");
    ws.sendText("later", true).join();
    assertThat(r.next()).isEqualTo("delayed");
    ws.sendText("keep-alive", true).join();
    assertThat(r.next()).isEqualTo("still here");
    assertThat(r.next()).as("and again a second later").isEqualTo("still here");
  }

  @Test
  void aMalformedControlMessageIsIgnoredAndTooManyFiltersClosesThatSessionOnly() throws Exception {
    WebSocketTest.Recorder broken = new WebSocketTest.Recorder();
    WebSocket ws = connect("/grip/chat", broken);
    WebSocketTest.Recorder fine = new WebSocketTest.Recorder();
    connect("/grip/chat", fine);
    await("both subscribed", () -> p8.subscriptions() == 2);
    ws.sendText("broken", true).join();
    assertThat(broken.next()).isEqualTo("still here");
    assertThat(broken.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1011 backend error");
    p8.publisher().publish(Item.builder("room").wsMessage(WsMessageFormat.text("others unaffected")).build());
    assertThat(fine.next()).isEqualTo("others unaffected");
  }

  @Test
  void withoutGripMessagesPassThroughUnchanged() throws Exception {
    WebSocketTest.Recorder r = new WebSocketTest.Recorder();
    WebSocket ws = connect("/plain", r);
    ws.sendText("c:{\"type\":\"subscribe\",\"channel\":\"x\"}", true).join();
    assertThat(r.next()).isEqualTo("echo: c:{\"type\":\"subscribe\",\"channel\":\"x\"}");
    assertThat(p8.subscriptions()).isZero();
  }

  @Test
  void theBackendsCloseCodeAndReasonReachTheClient() throws Exception {
    WebSocketTest.Recorder r = new WebSocketTest.Recorder();
    WebSocket ws = connect("/plain", r);
    ws.sendText("bye", true).join();
    assertThat(r.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4000 backend says bye");
    await("the session to be released", () -> p8.webSocketConnections() == 0);
  }

  @Test
  void aRefusalIsRelayedWithItsStatusAndHeaders() {
    assertThatThrownBy(() -> connect("/reject", new WebSocketTest.Recorder()))
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> {
          var response = ((WebSocketHandshakeException) e).getResponse();
          assertThat(response.statusCode()).isEqualTo(403);
          assertThat(response.headers().firstValue("X-Why")).contains("no");
        });
  }

  @Test
  void anUnreachableBackendIs502() throws Exception {
    backend.stop();
    assertThatThrownBy(() -> connect("/plain", new WebSocketTest.Recorder()))
        .cause().isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(502));
  }

  @Test
  void aGapThatIsNotFilledClosesTheClientSoItReconnectsAndResyncs() throws Exception {
    int port = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
    try (P8Server quick = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + port).messageWait(java.time.Duration.ofMillis(200)).build().start()) {
      WebSocketTest.Recorder r = new WebSocketTest.Recorder();
      http.newWebSocketBuilder().subprotocols("chat.v1")
          .buildAsync(URI.create("ws://127.0.0.1:" + quick.port() + "/grip/chat"), r).join();
      await("the backend's subscribe to take effect", () -> quick.subscriptions() == 1);
      quick.publisher().publish(Item.builder("room").id("1").noSeq(true).wsMessage(WsMessageFormat.text("one")).build());
      quick.publisher().publish(Item.builder("room").id("3").prevId("2").noSeq(true)
          .wsMessage(WsMessageFormat.text("three")).build());
      assertThat(r.next()).isEqualTo("one");
      assertThat(r.next()).isEqualTo("three");
      assertThat(r.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1013 missed messages; reconnect");
      await("the session released", () -> quick.webSocketConnections() == 0 && quick.subscriptions() == 0);
    }
  }
}
