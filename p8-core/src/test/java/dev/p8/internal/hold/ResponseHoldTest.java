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
}
