package dev.p8.undertow;

import static dev.p8.undertow.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Long-poll recovery end to end: a real backend that counts its requests and reads
 * {@code Grip-Last}, a real P8 and real clients.
 */
class RecoveryTest {

  private final MockWebServer backend = new MockWebServer();
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final List<String> gripLast = new CopyOnWriteArrayList<>();
  private P8Server p8;

  /**
   * {@code /lp?prev=ID}: a long-poll on channel {@code r} with that prev-id, unless the request
   * carries Grip-Last, which is answered at once with what the backend would have missed.
   * {@code /stale?prev=ID} always holds, whatever Grip-Last says. {@code /twice} holds on
   * its first request and answers on the next.
   */
  private void start(P8Server.Builder options) throws IOException {
    backend.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getRequestUrl().encodedPath();
        int n = requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String last = request.getHeader("Grip-Last");
        if (last != null) {
          gripLast.add(last);
        }
        String prev = request.getRequestUrl().queryParameter("prev");
        MockResponse hold = new MockResponse().setHeader("Grip-Hold", "response")
            .setHeader("Grip-Channel", prev == null ? "r" : "r; prev-id=" + prev)
            .setBody("timeout\n");
        switch (path) {
          case "/lp":
            return last == null ? hold : new MockResponse().setBody("recovered " + last + "\n");
          case "/stale":
            return hold;
          case "/twice":
            return n == 1 ? hold : new MockResponse().setBody("fresh\n");
          default:
            return new MockResponse().setResponseCode(404);
        }
      }
    });
    backend.start();
    p8 = options.listen("127.0.0.1", 0).noControlListener()
        .route("*,prefix=p- 127.0.0.1:" + backend.getPort()).build().start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (p8 != null) {
      p8.close();
    }
    backend.shutdown();
  }

  private CompletableFuture<String> poll(String path) {
    return CompletableFuture.supplyAsync(() -> {
      try (Response r = client.newCall(new Request.Builder().url(p8.url() + path).build()).execute()) {
        return r.body().string();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
  }

  private int count(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  private void publish(String id, String prevId, String body) {
    Item.Builder item = Item.builder("p-r").httpResponse(HttpResponseFormat.of(200, body));
    if (id != null) {
      item.id(id);
    }
    if (prevId != null) {
      item.prevId(prevId);
    }
    p8.publisher().publish(item.build());
  }

  @Test
  void aLongPollBehindTheLastPublishedIdIsAskedAgainWithGripLast() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false));
    CompletableFuture<String> first = poll("/lp?prev=0");
    await("the first long-poll to be held", () -> p8.subscriptions() == 1);
    publish("1", "0", "one\n");
    assertThat(first.get()).isEqualTo("one\n");

    // The channel lingers with last id 1; a backend that still says prev-id 0 is behind.
    CompletableFuture<String> second = poll("/lp?prev=0");
    assertThat(second.get()).isEqualTo("recovered r; last-id=0\n");
    assertThat(count("/lp")).isEqualTo(3);
    assertThat(gripLast).containsExactly("r; last-id=0");
    assertThat(p8.engine().recoveryRetries()).isEqualTo(1);
    await("nothing held", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void anItemThatDoesNotFollowTheHoldIsNotDeliveredAndTheRequestIsRetried() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false));
    CompletableFuture<String> poll = poll("/lp?prev=5");
    await("the long-poll to be held", () -> p8.subscriptions() == 1);
    publish("7", "6", "seven\n");

    assertThat(poll.get()).isEqualTo("recovered r; last-id=5\n");
    assertThat(count("/lp")).isEqualTo(2);
    await("nothing held", () -> p8.heldConnections() == 0 && p8.subscriptions() == 0);
  }

  @Test
  void anItemThatFollowsTheHoldIsDelivered() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false));
    CompletableFuture<String> poll = poll("/lp?prev=5");
    await("the long-poll to be held", () -> p8.subscriptions() == 1);
    publish("6", "5", "six\n");

    assertThat(poll.get()).isEqualTo("six\n");
    assertThat(count("/lp")).isEqualTo(1);
  }

  @Test
  void aHintSendsTheRequestAgain() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false));
    CompletableFuture<String> poll = poll("/twice");
    await("the long-poll to be held", () -> p8.subscriptions() == 1);
    p8.publisher().publish(Item.builder("p-r").httpResponse(HttpResponseFormat.builder().action(HttpResponseFormat.Action.HINT).build()).build());

    assertThat(poll.get()).isEqualTo("fresh\n");
    assertThat(count("/twice")).isEqualTo(2);
    assertThat(gripLast).isEmpty();
  }

  @Test
  void aSecondAfterTheFirstSubscriptionTheLongPollIsAskedAgain() throws Exception {
    start(P8Server.builder());
    CompletableFuture<String> poll = poll("/twice");

    assertThat(poll.get()).isEqualTo("fresh\n");
    assertThat(count("/twice")).isEqualTo(2);
  }

  @Test
  void retriesAreBoundedAndPastTheBoundAMismatchIsDroppedNotDelivered() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false)
        .limits(Limits.builder().maxRecoveryRetries(1).build()));
    CompletableFuture<String> poll = poll("/stale?prev=5");
    await("the long-poll to be held", () -> p8.subscriptions() == 1);
    publish("7", "6", "seven\n");
    await("the retry to be held again", () -> count("/stale") == 2 && p8.subscriptions() == 1);
    assertThat(gripLast).containsExactly("r; last-id=5");

    publish("9", "8", "nine\n");
    publish("6", "5", "six\n");

    assertThat(poll.get()).isEqualTo("six\n");
    assertThat(count("/stale")).isEqualTo(2);
  }

  @Test
  void aChannelLingersAfterItsLastLongPollAndThenIsForgotten() throws Exception {
    start(P8Server.builder().updateOnFirstSubscription(false).subscriptionLinger(Duration.ofMillis(300)));
    CompletableFuture<String> poll = poll("/lp?prev=0");
    await("the long-poll to be held", () -> p8.subscriptions() == 1);
    publish("1", "0", "one\n");
    assertThat(poll.get()).isEqualTo("one\n");
    assertThat(p8.engine().interestingChannels()).isEqualTo(1);

    await("the linger to end", () -> p8.engine().interestingChannels() == 0);
    // The channel's last id went with it: a prev-id of 0 is no longer behind.
    CompletableFuture<String> again = poll("/lp?prev=0");
    await("the next long-poll to be held", () -> p8.subscriptions() == 1);
    assertThat(count("/lp")).isEqualTo(2);
    publish("1b", "0", "one again\n"); // a new id: the id cache drops a repeat of 1
    assertThat(again.get()).isEqualTo("one again\n");
  }
}
