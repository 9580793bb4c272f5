package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reliable WebSocket-over-HTTP delivery: a client that misses items gets them from the backend,
 * which learns what is missing from {@code Grip-Last}.
 */
class ReliableWebSocketTest {

  private final MockWebServer backend = new MockWebServer();
  /** The Grip-Last header of every request after the first ("-" when absent). */
  private final BlockingQueue<String> gripLast = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();
  /** Every TEXT event the backend got, in order. */
  private final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
  private P8Server p8;

  @BeforeEach
  void setUp() throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        List<WebSocketEvent> in;
        try {
          in = WebSocketEvents.parse(request.getBody().readByteArray());
        } catch (Exception e) {
          return new MockResponse().setResponseCode(400);
        }
        MockResponse response = new MockResponse().setHeader("Content-Type", WebSocketEvents.CONTENT_TYPE)
            .setHeader("Sec-WebSocket-Extensions", "grip");
        List<WebSocketEvent> out = new ArrayList<>();
        boolean texts = false;
        for (WebSocketEvent e : in) {
          if (e.type() == WebSocketEvent.Type.TEXT) {
            received.add(e.text());
            texts = true;
          }
        }
        if (texts) {
          // A slow backend: client messages pile up behind the outstanding request.
          response.setHeadersDelay(50, TimeUnit.MILLISECONDS);
        } else if (!in.isEmpty() && in.get(0).type() == WebSocketEvent.Type.OPEN) {
          out.add(WebSocketEvent.open());
          out.add(WebSocketEvent.text(GripControl.subscribe("room")));
        } else {
          String last = request.getHeader("Grip-Last");
          gripLast.add(last == null ? "-" : last);
          if (last != null) {
            // What a backend with history does: resend everything after the client's last id.
            out.add(WebSocketEvent.text(GripControl.message("resent after " + last)));
          }
        }
        return response.setBody(new Buffer().write(WebSocketEvents.encode(out)));
      }
    });
    backend.start();
    p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("*,prefix=p- 127.0.0.1:" + backend.getPort() + ",over_http")
        .messageWait(Duration.ofMillis(200))
        .build().start();
  }

  @AfterEach
  void tearDown() throws IOException {
    p8.close();
    backend.shutdown();
  }

  private WebSocketTest.Recorder connect() {
    WebSocketTest.Recorder r = new WebSocketTest.Recorder();
    http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + p8.port() + "/chat"), r).join();
    await("the subscription", () -> p8.subscriptions() == 1);
    return r;
  }

  private void publish(String id, String prevId, String text, boolean noSeq) {
    Item.Builder b = Item.builder("p-room").id(id).noSeq(noSeq).wsMessage(WsMessageFormat.text(text));
    if (prevId != null) {
      b.prevId(prevId);
    }
    p8.publisher().publish(b.build());
  }

  @Test
  void aGapNotFilledWithinMessageWaitIsAskedOfTheBackendWithGripLast() throws Exception {
    WebSocketTest.Recorder r = connect();
    publish("1", null, "one", false);
    publish("2", "1", "two", false);
    assertThat(r.next()).isEqualTo("one");
    assertThat(r.next()).isEqualTo("two");

    // Item 3 is lost: 4 waits message_wait in the sequencer, then reaches the client with a gap.
    publish("4", "3", "four", false);
    assertThat(r.next()).isEqualTo("four");
    assertThat(gripLast.poll(10, TimeUnit.SECONDS)).isEqualTo("room; last-id=2");
    assertThat(r.next()).isEqualTo("resent after room; last-id=2");
    assertThat(p8.engine().webSocketGaps()).isEqualTo(1);

    // In order again: nothing more is asked.
    publish("5", "4", "five", false);
    assertThat(r.next()).isEqualTo("five");
    p8.publisher().publish(Item.builder("p-room").wsMessage(WsMessageFormat.refresh()).build());
    assertThat(gripLast.poll(10, TimeUnit.SECONDS)).isEqualTo("-");
  }

  @Test
  void aLatePredecessorFillsTheGapAndNothingIsAsked() throws Exception {
    WebSocketTest.Recorder r = connect();
    publish("1", null, "one", true);
    publish("3", "2", "three", true);
    publish("2", "1", "two", true);
    assertThat(r.next()).isEqualTo("one");
    assertThat(r.next()).isEqualTo("three");
    assertThat(r.next()).isEqualTo("two");

    // The gap closed when "two" was delivered, on the same thread; a refresh now carries no
    // Grip-Last, and none will follow.
    p8.publisher().publish(Item.builder("p-room").wsMessage(WsMessageFormat.refresh()).build());
    assertThat(gripLast.poll(10, TimeUnit.SECONDS)).isEqualTo("-");
    assertThat(p8.engine().webSocketGaps()).isZero();
  }

  @Test
  void aClientThatOutrunsTheBackendIsSlowedDownAndLosesNothing() throws Exception {
    try (P8Server tight = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort() + ",over_http")
        .limits(Limits.builder().maxWebSocketPendingBytes(16).build()).build().start()) {
      WebSocketTest.Recorder r = new WebSocketTest.Recorder();
      java.net.http.WebSocket ws = http.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + tight.port() + "/chat"), r).join();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String m = "message " + i;
        sent.add(m);
        ws.sendText(m, true).join();
      }
      await("every message at the backend", Duration.ofSeconds(30), () -> received.size() >= sent.size());
      assertThat(received).containsExactlyElementsOf(sent);
    }
  }
}
