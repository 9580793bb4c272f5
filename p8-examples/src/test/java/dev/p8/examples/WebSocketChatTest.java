package dev.p8.examples;

import static dev.p8.examples.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketChatTest {

  private final ExampleServer chat = WebSocketChat.start(0, 0);

  @AfterEach
  void stop() {
    chat.close();
  }

  @Test
  void aMessageReachesEverySocketInTheRoom() throws Exception {
    BlockingQueue<String> first = new LinkedBlockingQueue<>();
    BlockingQueue<String> second = new LinkedBlockingQueue<>();
    URI uri = URI.create("ws://127.0.0.1:" + chat.proxy().port() + "/chat");
    HttpClient http = HttpClient.newHttpClient();
    WebSocket a = http.newWebSocketBuilder().buildAsync(uri, collector(first)).join();
    WebSocket b = http.newWebSocketBuilder().buildAsync(uri, collector(second)).join();
    await("both sockets subscribed", () -> chat.proxy().subscriptions() == 2);

    a.sendText("hi all", true).join();

    assertThat(first.poll(10, TimeUnit.SECONDS)).isEqualTo("hi all");
    assertThat(second.poll(10, TimeUnit.SECONDS)).isEqualTo("hi all");
    a.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    b.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    await("sockets closed", () -> chat.proxy().webSocketConnections() == 0);
  }

  private static WebSocket.Listener collector(BlockingQueue<String> into) {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        into.add(data.toString());
        ws.request(1);
        return null;
      }
    };
  }
}
