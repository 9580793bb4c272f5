package dev.p8.internal.hold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.time.FakeScheduler;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResponseHoldTest {

  private final FakeScheduler time = new FakeScheduler();
  private final ChannelHub hub = new ChannelHub();
  private final FakeConnection connection = new FakeConnection(time);
  private final List<Hold> released = new ArrayList<>();

  private ResponseHold hold(List<String> channels, Duration timeout) {
    ResponseHold.KeptResponse kept = new ResponseHold.KeptResponse(200, null,
        List.of(new Header("Content-Type", "text/plain"), new Header("X-Kept", "yes")),
        ByteBuffer.wrap("timeout body\n".getBytes(StandardCharsets.UTF_8)));
    ResponseHold hold = new ResponseHold(hub, connection, channels, kept, timeout, released::add);
    hold.start();
    return hold;
  }

  @Test
  void sendsTheKeptResponseAtTheTimeoutAndNotBefore() {
    hold(List.of("c"), Duration.ofSeconds(55));

    time.advance(54_999, TimeUnit.MILLISECONDS);
    assertThat(connection.responses).isEmpty();
    time.advance(1, TimeUnit.MILLISECONDS);

    assertThat(connection.responses).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("timeout body\n");
    });
    assertThat(hub.subscriptionCount()).isZero();
    assertThat(released).hasSize(1);
  }

  @Test
  void aPublishedResponseAnswersAndItsHeadersOverrideTheKeptOnes() {
    hold(List.of("a", "b"), Duration.ofSeconds(55));

    hub.publish(Item.builder("b").httpResponse(HttpResponseFormat.builder()
        .code(201).header("content-type", "application/json").header("Grip-Hold", "stream")
        .body("{}").build()).build());

    assertThat(connection.responses).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo(201);
      assertThat(r.body()).isEqualTo("{}");
      assertThat(r.headers()).containsExactly(new Header("X-Kept", "yes"), new Header("content-type", "application/json"));
    });
    assertThat(hub.subscriptionCount()).as("left both channels").isZero();
    assertThat(time.pending()).as("timer cancelled").isZero();
  }

  @Test
  void onlyTheFirstPublishAnswers() {
    hold(List.of("c"), Duration.ofSeconds(55));
    hub.publish(Item.response("c", "one"));
    hub.publish(Item.response("c", "two"));
    assertThat(connection.responses).extracting(FakeConnection.Response::body).containsExactly("one");
  }

  @Test
  void ignoresFormatsForOtherTransports() {
    hold(List.of("c"), Duration.ofSeconds(55));
    hub.publish(Item.stream("c", "stream data"));
    assertThat(connection.responses).isEmpty();
    assertThat(hub.subscriptionCount()).isEqualTo(1);
  }

  @Test
  void aClientThatLeavesGetsNothingAndLeavesNoSubscription() {
    ResponseHold hold = hold(List.of("c"), Duration.ofSeconds(55));
    hold.clientClosed();
    time.advance(60, TimeUnit.SECONDS);
    hub.publish(Item.response("c", "late"));
    assertThat(connection.responses).isEmpty();
    assertThat(hub.subscriptionCount()).isZero();
    assertThat(released).hasSize(1);
  }

  /** Records retries; allows as many as {@code allowed}. */
  private static final class Retries implements ResponseHold.Recovery {
    final List<Map<String, String>> lastIds = new ArrayList<>();
    final List<Set<String>> conflicts = new ArrayList<>();
    int allowed = 1;

    @Override
    public boolean canRetry() {
      return lastIds.size() < allowed;
    }

    @Override
    public void retry(Map<String, String> ids, Set<String> conflicting) {
      lastIds.add(ids);
      conflicts.add(conflicting);
    }
  }

  private ResponseHold recoverable(Map<String, String> prevIds, Retries retries) {
    ResponseHold.KeptResponse kept = new ResponseHold.KeptResponse(200, null, List.of(),
        ByteBuffer.wrap("timeout body\n".getBytes(StandardCharsets.UTF_8)));
    ResponseHold hold = new ResponseHold(hub, connection, List.of("c", "d"), kept,
        Duration.ofSeconds(55), released::add);
    hold.recovery(prevIds, retries);
    hold.start();
    return hold;
  }

  private static Item item(String channel, String id, String prevId, String body) {
    Item.Builder b = Item.builder(channel).httpResponse(HttpResponseFormat.of(200, body));
    if (id != null) {
      b.id(id);
    }
    if (prevId != null) {
      b.prevId(prevId);
    }
    return b.build();
  }

  @Test
  void anItemThatDoesNotFollowThePrevIdEndsTheHoldAndRetries() {
    Retries retries = new Retries();
    recoverable(Map.of("c", "5"), retries);

    hub.publish(item("c", "7", "6", "seven"));

    assertThat(connection.responses).isEmpty();
    assertThat(retries.lastIds).containsExactly(Map.of("c", "5"));
    assertThat(retries.conflicts).containsExactly(Set.of("c"));
    assertThat(hub.subscriptionCount()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void anItemWithoutPrevIdOnAChannelThatHasOneIsAMismatchToo() {
    Retries retries = new Retries();
    recoverable(Map.of("c", "5"), retries);
    hub.publish(item("c", "7", null, "seven"));
    assertThat(retries.lastIds).hasSize(1);
  }

  @Test
  void aChannelWithoutPrevIdTakesAnyItem() {
    Retries retries = new Retries();
    recoverable(Map.of("c", "5"), retries);
    hub.publish(item("d", "7", "6", "seven"));
    assertThat(connection.responses).extracting(FakeConnection.Response::body).containsExactly("seven");
    assertThat(retries.lastIds).isEmpty();
  }

  @Test
  void pastTheBoundAMismatchIsDroppedAndTheHoldWaitsOn() {
    Retries retries = new Retries();
    retries.allowed = 0;
    recoverable(Map.of("c", "5"), retries);
    hub.publish(item("c", "7", "6", "seven"));
    assertThat(connection.responses).isEmpty();
    assertThat(hub.subscriptionCount()).isEqualTo(2);

    hub.publish(item("c", "6", "5", "six"));
    assertThat(connection.responses).extracting(FakeConnection.Response::body).containsExactly("six");
  }

  @Test
  void aHintRetriesWithThePrevIdsMovedOnByIt() {
    Retries retries = new Retries();
    recoverable(Map.of("c", "5"), retries);
    hub.publish(Item.builder("c").id("6").prevId("5").httpResponse(HttpResponseFormat.builder()
        .action(HttpResponseFormat.Action.HINT).build()).build());
    assertThat(connection.responses).isEmpty();
    assertThat(retries.lastIds).containsExactly(Map.of("c", "6"));
    assertThat(retries.conflicts).containsExactly(Set.of());
  }

  @Test
  void updateRetriesOnceAndNotAfterTheHoldEnded() {
    Retries retries = new Retries();
    retries.allowed = 5;
    ResponseHold hold = recoverable(Map.of(), retries);
    assertThat(hold.update()).isTrue();
    assertThat(hold.update()).isFalse();
    assertThat(retries.lastIds).containsExactly(Map.of());
    assertThat(released).hasSize(1);
  }

  @Test
  void withoutRecoveryAHintIsIgnored() {
    hold(List.of("c"), Duration.ofSeconds(55));
    hub.publish(Item.builder("c").httpResponse(HttpResponseFormat.builder()
        .action(HttpResponseFormat.Action.HINT).build()).build());
    assertThat(connection.responses).isEmpty();
    assertThat(hub.subscriptionCount()).isEqualTo(1);
  }

  private void holdJson(String body) {
    ResponseHold.KeptResponse kept = new ResponseHold.KeptResponse(200, null,
        List.of(new Header("Content-Type", "application/json")),
        ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
    new ResponseHold(hub, connection, List.of("c"), kept, Duration.ofSeconds(55), released::add).start();
  }

  @Test
  void aBodyPatchIsAppliedToTheKeptBody() {
    holdJson("{\"n\":1,\"list\":[]}\n");
    hub.publish(Item.builder("c").httpResponse(HttpResponseFormat.builder()
        .bodyPatch("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2},"
            + "{\"op\":\"add\",\"path\":\"/list/-\",\"value\":\"x\"}]").build()).build());
    assertThat(connection.responses).singleElement().satisfies(r -> {
      assertThat(r.body()).isEqualTo("{\"n\":2,\"list\":[\"x\"]}\n");
      assertThat(r.headers()).extracting(Header::name).containsExactly("Content-Type");
    });
  }

  @Test
  void aBodyPatchThatCannotApplySendsAnEmptyBody() {
    holdJson("not json");
    hub.publish(Item.builder("c").httpResponse(HttpResponseFormat.builder()
        .bodyPatch("[{\"op\":\"remove\",\"path\":\"/a\"}]").build()).build());
    assertThat(connection.responses).singleElement().satisfies(r -> assertThat(r.body()).isEmpty());
  }

  @Test
  void contentFiltersMustMatchTheSubscriptionsContentFilters() {
    hold(List.of("c"), Duration.ofSeconds(55));
    hub.publish(Item.builder("c").httpResponse(HttpResponseFormat.builder().body("for var-subst")
        .contentFilters(List.of("var-subst")).build()).build());
    assertThat(connection.responses).isEmpty();
    hub.publish(Item.builder("c").httpResponse(HttpResponseFormat.builder().body("for plain")
        .contentFilters(List.of()).build()).build());
    assertThat(connection.responses).extracting(FakeConnection.Response::body).containsExactly("for plain");
  }
}
