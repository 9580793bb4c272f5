package dev.p8.internal.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.time.FakeScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UpdateLimiterTest {

  private final FakeScheduler time = new FakeScheduler();
  private final UpdateLimiter limiter = new UpdateLimiter(time, UpdateLimiter.DEFAULT_ACTIONS_PER_SECOND,
      UpdateLimiter.DEFAULT_SESSIONS_PER_ACTION);
  private final List<String> updated = new ArrayList<>();

  private void add(String key, String hold) {
    limiter.add(key, hold, () -> updated.add(hold));
  }

  @Test
  void aBurstIsGatheredThenSentAHundredHoldsATenthOfASecond() {
    for (int i = 0; i < 250; i++) {
      add("", "h" + i);
    }
    time.advance(99, TimeUnit.MILLISECONDS);
    assertThat(updated).isEmpty();

    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(100).startsWith("h0").endsWith("h99");
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(200);
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(250).endsWith("h249");
    assertThat(limiter.waiting()).isZero();

    time.advance(1, TimeUnit.SECONDS);
    assertThat(time.pending()).as("no ticks when idle").isZero();
  }

  @Test
  void keysTakeTurns() {
    for (int i = 0; i < 150; i++) {
      add("/busy", "b" + i);
    }
    add("/quiet", "q");

    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(100).doesNotContain("q");
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(101).endsWith("q");
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).hasSize(151);
  }

  @Test
  void aHoldWaitsOnceAndMayWaitAgainAfterItsUpdate() {
    assertThat(limiter.add("", "h", () -> updated.add("h"))).isTrue();
    assertThat(limiter.add("", "h", () -> updated.add("h again"))).isFalse();
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).containsExactly("h");

    assertThat(limiter.add("", "h", () -> updated.add("h later"))).isTrue();
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).containsExactly("h", "h later");
  }

  @Test
  void aFailingUpdateDoesNotStopTheOthers() {
    limiter.add("", "bad", () -> {
      throw new IllegalStateException("boom");
    });
    add("", "good");
    time.advance(100, TimeUnit.MILLISECONDS);
    assertThat(updated).containsExactly("good");
  }

  @Test
  void closeDropsWhatWaitsAndRefusesMore() {
    add("", "h");
    limiter.close();
    assertThat(limiter.add("", "h2", () -> updated.add("h2"))).isFalse();
    time.advance(1, TimeUnit.SECONDS);
    assertThat(updated).isEmpty();
    assertThat(time.pending()).isZero();
  }

  @Test
  void badFiguresAreRefused() {
    assertThatThrownBy(() -> new UpdateLimiter(time, 0, 100))
        .hasMessage("actionsPerSecond (0) and perAction (100) must be at least 1");
  }
}
