package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.time.Duration;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** message_rate end to end: real P8, a real backend, real streaming clients. */
class MessageRateTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private P8Server p8;

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
  }

  private StreamReader open() throws IOException {
    Call call = client.newCall(new Request.Builder().url(p8.url() + "/stream").build());
    Response r = call.execute();
    assertThat(r.code()).isEqualTo(200);
    return new StreamReader(call, r);
  }

  @Test
  void deliveriesAreHeldToTheRateAndNoneIsLostUnderTheHighWaterMark() throws Exception {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setHeader("Grip-Hold", "stream").setHeader("Grip-Channel", "s")
            .setBody("[open]\n");
      }
    });
    backend.start();
    p8 = P8Server.builder().listen("127.0.0.1", 0).noControlListener()
        .route("* 127.0.0.1:" + backend.getPort())
        .updateOnFirstSubscription(false)
        .messageRate(40)
        .build().start();

    try (StreamReader a = open(); StreamReader b = open()) {
      a.expect("[open]\n");
      b.expect("[open]\n");
      await("both streams subscribed", () -> p8.subscriptions() == 2);

      // 20 items to 2 subscribers: 40 deliveries, a second's worth at 40/s.
      long start = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        p8.publisher().publish(Item.builder("s").httpStream(HttpStreamFormat.send("[" + i + "]\n")).build());
      }
      assertThat(p8.engine().hub().deliveriesWaitingForRate()).isPositive();
      for (int i = 0; i < 20; i++) {
        a.expectNext("[" + i + "]\n");
        b.expectNext("[" + i + "]\n");
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

      // The schedule lets a 25 ms burst go at once, then one delivery every 25 ms: the last
      // of 40 cannot leave before about 950 ms. The rate is a floor on time, so no flakiness.
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(900);
      assertThat(p8.engine().hub().droppedDeliveries()).isZero();
      assertThat(p8.engine().hub().deliveriesWaitingForRate()).isZero();
    }
  }
}
