package dev.p8.internal.seq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdCacheTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aRepeatWithinTheTtlIsADuplicateAndDoesNotExtendIt() {
    IdCache cache = new IdCache(Duration.ofSeconds(60), 10);
    assertThat(cache.firstSighting("c", "1", 0)).isTrue();
    assertThat(cache.firstSighting("c", "1", 59 * SECOND)).isFalse();
    assertThat(cache.firstSighting("c", "1", 60 * SECOND)).isTrue();
  }

  @Test
  void theChannelIsPartOfTheKey() {
    IdCache cache = IdCache.withDefaults();
    assertThat(cache.firstSighting("a", "1", 0)).isTrue();
    assertThat(cache.firstSighting("b", "1", 0)).isTrue();
    assertThat(cache.firstSighting("a", "", 0)).isTrue();
    assertThat(cache.firstSighting("a", "", 0)).isFalse();
  }

  @Test
  void theBoundForgetsTheOldestEarly() {
    IdCache cache = new IdCache(Duration.ofSeconds(60), 2);
    cache.firstSighting("c", "1", 0);
    cache.firstSighting("c", "2", 1);
    cache.firstSighting("c", "3", 2);

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.evictedEarly()).isEqualTo(1);
    assertThat(cache.firstSighting("c", "1", 3)).as("forgotten early").isTrue();
    assertThat(cache.firstSighting("c", "3", 3)).isFalse();
  }

  @Test
  void expiryEmptiesTheCache() {
    IdCache cache = new IdCache(Duration.ofSeconds(1), 100);
    for (int i = 0; i < 50; i++) {
      cache.firstSighting("c", Integer.toString(i), i);
    }
    assertThat(cache.nextExpiry()).isEqualTo(SECOND);
    cache.expire(SECOND + 24);
    assertThat(cache.size()).isEqualTo(25);
    cache.expire(2 * SECOND);
    assertThat(cache.size()).isZero();
    assertThat(cache.nextExpiry()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aZeroTtlRemembersNothing() {
    IdCache cache = IdCache.disabled();
    assertThat(cache.enabled()).isFalse();
    assertThat(cache.firstSighting("c", "1", 0)).isTrue();
    assertThat(cache.firstSighting("c", "1", 0)).isTrue();
    assertThat(cache.size()).isZero();
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> new IdCache(Duration.ofSeconds(-1), 1))
        .hasMessage("idCacheTtl (PT-1S) must not be negative (pushpin.conf [handler]"
            + " id_cache_ttl)");
    assertThatThrownBy(() -> new IdCache(Duration.ofSeconds(1), 0))
        .hasMessage("idCacheMaxEntries (0) must be at least 1");
  }
}
